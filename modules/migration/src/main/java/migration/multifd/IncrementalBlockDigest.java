package migration.multifd;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;
import migration.MigrationProtocol;

/**
 * The CRC32C of a block's contents (PROTOCOL.md §2.4), folded from its page CRCs a piece at a time while the
 * rounds run, so that after the last round only what that round changed is left to fold: at the source, and at
 * the destination, where it is what stands between COMPLETE and RESULT.
 *
 * <p>Whoever records a page's CRC in {@link #pages()} then marks the page {@link #changed} (the destination's
 * receivers as pages arrive; the source's control thread for the pages a round sent). {@link #foldChanges()},
 * called whenever convenient (the destination between frames, the source between rounds), takes the pages
 * marked since the last call and folds the difference between their CRCs now and the CRCs last folded for them
 * into the block's CRC ({@link BlockDigestUpdate}: work in proportion to those pages, not to the block). It
 * keeps, per page, the CRC it folded, so the result is exact whatever the recording threads do meanwhile: a page
 * recorded again after the call read it is marked again after that, and the next call folds the change. After
 * the last round, with nothing recording, {@link #digest()} (or {@link #crc32c} at the destination) folds what
 * is left: exactly the fold of every page's final CRC, as {@link PageDigests#blockCrc()} computes it, and as
 * strict. The code that runs then is also the code every earlier fold ran, so it runs compiled.
 *
 * <p>Marking is atomic per 64-page word ({@link PageBitmap#takeWord}): a receiver records the CRC, then sets the
 * bit; the fold clears the word, then reads the CRCs of the pages it held. A bit set after the clear stays
 * for the next call, so no change is lost. One {@code int} and one bit per page besides the page CRCs.
 */
public final class IncrementalBlockDigest {

    private final long pages;
    private final PageDigests crcs;
    private final PageBitmap changed;
    /** Per page, the CRC last folded into {@link #crc}: zero until the page's first fold. */
    private final int[] folded;
    private final BlockDigestUpdate update;
    /** The fold of {@link #folded}; the fold of all-zero entries is zero. The control thread's. */
    private int crc;

    /**
     * Creates the digest of a block with page CRCs of its own, none recorded yet.
     *
     * @param size the block's size in bytes
     */
    public IncrementalBlockDigest(long size) {
        this(new PageDigests(size), size);
    }

    /**
     * Creates the digest of a block whose page CRCs are recorded in {@code crcs}, none folded yet.
     *
     * @param crcs the page CRCs, recorded by others
     * @param size the block's size in bytes
     */
    public IncrementalBlockDigest(PageDigests crcs, long size) {
        this.pages = MigrationProtocol.pageCount(size);
        this.crcs = crcs;
        this.changed = new PageBitmap(pages);
        this.folded = new int[(int) pages];
        this.update = new BlockDigestUpdate(size);
    }

    /** {@return where each page's CRC32C is recorded} */
    public PageDigests pages() {
        return crcs;
    }

    /**
     * Marks pages whose CRCs the calling thread has just recorded in {@link #pages()}. Any thread.
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
        return digest();
    }

    /**
     * {@return the CRC32C of the block, every marked page folded in} Call when nothing records or marks pages.
     */
    public int digest() {
        foldChanges();
        return crc;
    }
}
