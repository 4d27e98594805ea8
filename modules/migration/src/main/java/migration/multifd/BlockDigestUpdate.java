package migration.multifd;

import migration.MigrationProtocol;

/**
 * Updates a block's CRC32C ({@link PageDigests#blockCrc()}) after some of its pages were sent again, from the
 * old and new CRC32Cs of those pages alone: work in proportion to the pages rewritten, not to the block.
 *
 * <p>Why it works: the fold of the page CRCs into the block's CRC (appending a page multiplies the CRC so far by
 * x^(8·length) mod P, then adds the page's CRC; zlib's {@code crc32_combine}) is linear over GF(2) in the
 * vector of page CRCs. So the block CRC of the new entries is the old block CRC plus (XOR) the fold of the
 * differences, and the differences are zero except at the rewritten pages: page p's difference is multiplied
 * by the operator of every byte after it, which Horner's rule over the rewritten pages in ascending order
 * applies one gap at a time.
 *
 * <p>The source computes the fold before the pause and this in the downtime window, after the last round; the
 * destination folds each round's pages with it as they arrive ({@link IncrementalBlockDigest}).
 */
public final class BlockDigestUpdate {

    private static final int PAGE = MigrationProtocol.PAGE_SIZE;

    private final long size;
    private final long pages;
    /** x^(8·PAGE) mod P: appending one whole page. */
    private final int pageOperator;
    /**
     * {@code powers[j]}: the table ({@link Crc32c#multiplicationTable}) of appending 2^j whole pages, for every
     * gap the block can have: a gap between rewritten pages then costs four lookups per bit set in it, so the
     * downtime window runs no bit-by-bit polynomial arithmetic (which also runs there cold, interpreted).
     */
    private final int[][] powers;
    /** The fold of the differences of the whole pages added so far, up to {@link #lastFull}. */
    private int acc;
    /** The last page added that is not the block's last page, or -1. */
    private long lastFull = -1;
    /** The last page added, or -1. */
    private long last = -1;
    /** The difference at the block's last page, which may be short and which nothing follows. */
    private int lastPageDelta;

    /**
     * Starts an update of a block.
     *
     * @param size the block's size in bytes
     */
    public BlockDigestUpdate(long size) {
        this.size = size;
        this.pages = MigrationProtocol.pageCount(size);
        this.pageOperator = Crc32c.shiftOperator(PAGE);
        this.powers = new int[Math.max(1, 64 - Long.numberOfLeadingZeros(pages))][];
        int operator = pageOperator;
        for (int j = 0; j < powers.length; j++) {
            powers[j] = Crc32c.multiplicationTable(operator);
            operator = Crc32c.combine(operator, 0, operator); // squared: 2^(j+1) pages
        }
    }

    /**
     * Adds a rewritten page; pages come in ascending order, each once.
     *
     * @param page   the page's index
     * @param oldCrc its CRC32C before
     * @param newCrc its CRC32C now
     * @throws IllegalArgumentException if the page is outside the block or not after the previous one
     */
    public void rewritten(long page, int oldCrc, int newCrc) {
        if (page <= last || page >= pages) {
            throw new IllegalArgumentException("page " + page + " is not after page " + last + " in a block of "
                    + pages + " pages");
        }
        int delta = oldCrc ^ newCrc;
        if (page == pages - 1) {
            lastPageDelta = delta;
        } else {
            acc = lastFull < 0 ? delta : times(acc, page - lastFull) ^ delta;
            lastFull = page;
        }
        last = page;
    }

    /**
     * {@return the block's CRC32C with the rewritten pages' new CRCs}
     * @param before the block's CRC32C before (with every page's old CRC)
     */
    public int apply(int before) {
        int folded = 0;
        if (lastFull >= 0) {
            // On to the block's second-to-last page, then over its last page (maybe short).
            folded = times(acc, pages - 2 - lastFull);
            long lastLength = size - (pages - 1) * PAGE;
            folded = Crc32c.combine(folded, 0, lastLength == PAGE ? pageOperator : Crc32c.shiftOperator(lastLength));
        }
        return before ^ folded ^ lastPageDelta;
    }

    /** Forgets the pages added so far, for an update of the same block from a new starting point. */
    public void reset() {
        acc = 0;
        lastFull = -1;
        last = -1;
        lastPageDelta = 0;
    }

    /** {@return {@code crc} times x^(8·PAGE·gap) mod P}, {@code gap} below 2^{@link #powers}.length */
    private int times(int crc, long gap) {
        int result = crc;
        for (long rest = gap; rest != 0 && result != 0; rest &= rest - 1) {
            int[] table = powers[Long.numberOfTrailingZeros(rest)];
            result = table[result & 0xff] ^ table[256 + ((result >>> 8) & 0xff)]
                    ^ table[512 + ((result >>> 16) & 0xff)] ^ table[768 + (result >>> 24)];
        }
        return result;
    }
}
