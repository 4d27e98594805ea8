package migration.multifd;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;
import migration.MigrationProtocol;

/**
 * The CRC32C of a destination block's contents (PROTOCOL.md §2.4), folded from its page CRCs a piece at a time
 * while the rounds still arrive, so that after COMPLETE only what the last round changed is left to fold: the
 * destination's half of what {@code LastRoundDigests} does at the source.
 *
 * <p>The receivers record each page's CRC in {@link #pages()} and then mark the page {@link #changed}. The
 * control thread calls {@link #foldChanges()} whenever it likes (between rounds, while it waits for one): each
 * call takes the pages marked since the last call and folds the difference between their CRCs now and the CRCs
 * last folded for them into the block's CRC ({@link BlockDigestUpdate}: work in proportion to those pages, not
 * to the block). It keeps, per page, the CRC it folded, so the result is exact whatever the receivers do
 * meanwhile: a page recorded again after the call read it is marked again after that, and the next call
 * folds the change. After the last round, with every receiver stopped, {@link #crc32c} folds what is left:
 * exactly the fold of every page's final CRC, as {@link PageDigests#blockCrc()} computes it, and as strict.
 *
 * <p>Marking is atomic per 64-page word ({@link PageBitmap#takeWord}): a receiver records the CRC, then sets the
 * bit; the fold clears the word, then reads the CRCs of the pages it held. A bit set after the clear stays
 * for the next call, so no change is lost. One {@code int} and one bit per page besides the page CRCs.
 */
public final class ReceivedBlockDigest {

    private final long pages;
    private final PageDigests crcs;
    private final PageBitmap changed;
    /** Per page, the CRC last folded into {@link #crc}: zero until the page's first fold. */
    private final int[] folded;
    private final BlockDigestUpdate update;
    /** The fold of {@link #folded}; the fold of all-zero entries is zero. The control thread's. */
    private int crc;

    /**
     * Creates the digest of a block, no page received.
     *
     * @param size the block's size in bytes
     */
    public ReceivedBlockDigest(long size) {
        this.pages = MigrationProtocol.pageCount(size);
        this.crcs = new PageDigests(size);
        this.changed = new PageBitmap(pages);
        this.folded = new int[(int) pages];
        this.update = new BlockDigestUpdate(size);
    }

    /** {@return where the receivers record each received page's CRC32C} */
    public PageDigests pages() {
        return crcs;
    }

    /**
     * Marks pages whose CRCs the calling receiver has just recorded in {@link #pages()}. Any thread.
     *
     * @param first the first page
     * @param count how many pages
     */
    public void changed(long first, long count) {
        changed.setRange(first, count);
    }

    /**
     * Folds every page marked since the last call into the block's CRC. The control thread's; may run while
     * receivers record and mark pages.
     *
     * @return the pages taken
     */
    public long foldChanges() {
        long taken = 0;
        for (int w = 0; w < changed.words(); w++) {
            long bits = changed.takeWord(w);
            while (bits != 0) {
                long page = ((long) w << 6) + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                int now = crcs.crc(page);
                int before = folded[(int) page];
                if (now != before) {
                    update.rewritten(page, before, now);
                    folded[(int) page] = now;
                }
                taken++;
            }
        }
        if (taken > 0) {
            crc = update.apply(crc);
            update.reset();
        }
        return taken;
    }

    /**
     * {@return the CRC32C of the block's contents} Pages that never arrived are read from memory; then what
     * is left is folded. Call after every receiver has stopped writing.
     *
     * @param memory   the block's memory
     * @param received which pages arrived
     */
    public int crc32c(MemorySegment memory, PageBitmap received) {
        CRC32C scratch = null;
        for (long page = received.nextClear(0, pages); page < pages; page = received.nextClear(page + 1, pages)) {
            if (scratch == null) {
                scratch = new CRC32C();
            }
            crcs.recordFromMemory(scratch, memory, page);
            changed.setRange(page, 1);
        }
        foldChanges();
        return crc;
    }
}
