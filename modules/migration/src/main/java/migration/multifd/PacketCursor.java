package migration.multifd;

import io.channel.memory.DirtyPages;
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
    /** For a round of dirty pages: each packet's block, first page and page count; {@code null} for all pages. */
    private final int[] dirtyBlocks;
    private final long[] dirtyFirst;
    private final int[] dirtyCounts;

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
        this.dirtyBlocks = null;
        this.dirtyFirst = null;
        this.dirtyCounts = null;
    }

    private PacketCursor(int[] blocks, long[] first, int[] counts) {
        this.pages = new long[0];
        this.ends = new long[0];
        this.dirtyBlocks = blocks;
        this.dirtyFirst = first;
        this.dirtyCounts = counts;
    }

    /**
     * Creates the cursor of a round that sends the given pages: each run of dirty pages in packets of up to
     * {@value MigrationProtocol#MAX_PAGES_PER_PACKET}, block by block.
     *
     * @param dirty per block, in HELLO order, the pages to send
     * @return the cursor
     */
    public static PacketCursor of(List<DirtyPages> dirty) {
        int packets = 0;
        for (DirtyPages pages : dirty) {
            for (int r = 0; r < pages.rangeCount(); r++) {
                long runs = (pages.end(r) - pages.start(r) + MigrationProtocol.MAX_PAGES_PER_PACKET - 1)
                        / MigrationProtocol.MAX_PAGES_PER_PACKET;
                packets = Math.addExact(packets, Math.toIntExact(runs));
            }
        }
        int[] blocks = new int[packets];
        long[] first = new long[packets];
        int[] counts = new int[packets];
        int at = 0;
        for (int b = 0; b < dirty.size(); b++) {
            DirtyPages pages = dirty.get(b);
            for (int r = 0; r < pages.rangeCount(); r++) {
                for (long page = pages.start(r); page < pages.end(r); page += MigrationProtocol.MAX_PAGES_PER_PACKET) {
                    blocks[at] = b;
                    first[at] = page;
                    counts[at] = (int) Math.min(MigrationProtocol.MAX_PAGES_PER_PACKET, pages.end(r) - page);
                    at++;
                }
            }
        }
        return new PacketCursor(blocks, first, counts);
    }

    /**
     * Claims the next packet.
     *
     * @param claim filled in
     * @return false once every packet of the round has been claimed
     */
    public boolean next(Claim claim) {
        long index = next.getAndIncrement();
        if (dirtyBlocks != null) {
            if (index >= dirtyBlocks.length) {
                return false;
            }
            int i = (int) index;
            claim.block = dirtyBlocks[i];
            claim.firstPage = dirtyFirst[i];
            claim.count = dirtyCounts[i];
            return true;
        }
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
