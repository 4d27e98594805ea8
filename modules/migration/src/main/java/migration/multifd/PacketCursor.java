package migration.multifd;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import migration.MigrationProtocol;

/**
 * The packets of one round, claimed by the sending threads themselves: every block's pages in order, in runs of
 * up to {@value MigrationProtocol#MAX_PAGES_PER_PACKET}. A sender that finished a packet takes the next one
 * with one atomic increment, with no hand-off through another thread, so the channels stay busy and the
 * receivers advance through the blocks roughly together (which the destination's prefaulting relies on).
 */
public final class PacketCursor {

    /** A claimed packet; one per sender, reused. */
    public static final class Claim {
        int block;
        long firstPage;
        int count;

        /** Creates an empty claim. */
        public Claim() {
        }

        /** {@return the block index} */
        public int block() {
            return block;
        }

        /** {@return the first page} */
        public long firstPage() {
            return firstPage;
        }

        /** {@return the number of pages, 1 to 128} */
        public int count() {
            return count;
        }
    }

    private final long[] pages;
    /** {@code ends[b]}: packets in blocks 0..b. */
    private final long[] ends;
    private final AtomicLong next = new AtomicLong();

    /**
     * Creates the cursor of a round that sends every page of every block.
     *
     * @param blockSizes the blocks' sizes in bytes, in HELLO order
     */
    public PacketCursor(List<Long> blockSizes) {
        int n = blockSizes.size();
        this.pages = new long[n];
        this.ends = new long[n];
        long total = 0;
        for (int b = 0; b < n; b++) {
            pages[b] = MigrationProtocol.pageCount(blockSizes.get(b));
            total += (pages[b] + MigrationProtocol.MAX_PAGES_PER_PACKET - 1) / MigrationProtocol.MAX_PAGES_PER_PACKET;
            ends[b] = total;
        }
    }

    /**
     * Claims the next packet.
     *
     * @param claim filled in
     * @return false once every packet of the round has been claimed
     */
    public boolean next(Claim claim) {
        long index = next.getAndIncrement();
        int block = 0;
        while (block < ends.length && index >= ends[block]) {
            block++;
        }
        if (block == ends.length) {
            return false;
        }
        long within = index - (block == 0 ? 0 : ends[block - 1]);
        claim.block = block;
        claim.firstPage = within * MigrationProtocol.MAX_PAGES_PER_PACKET;
        claim.count = (int) Math.min(MigrationProtocol.MAX_PAGES_PER_PACKET, pages[block] - claim.firstPage);
        return true;
    }
}
