package migration.multifd;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** One bit per page, set atomically by several receiving threads: "this page was received". */
public final class PageBitmap {

    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[] words;

    /**
     * Creates an empty bitmap.
     *
     * @param pages number of pages
     */
    public PageBitmap(long pages) {
        if (pages > (long) Integer.MAX_VALUE * 64) {
            throw new IllegalArgumentException("too many pages for a bitmap: " + pages);
        }
        this.words = new long[(int) ((pages + 63) / 64)];
    }

    /**
     * Sets a page's bit.
     *
     * @param page the page index
     * @return whether the bit was already set
     */
    public boolean testAndSet(long page) {
        long bit = 1L << (page & 63);
        long old = (long) WORDS.getAndBitwiseOr(words, (int) (page >>> 6), bit);
        return (old & bit) != 0;
    }

    /**
     * Sets the bits of pages {@code first} to {@code first + count - 1}: a word at a time (with the same atomicity
     * as {@link #testAndSet}), for a run of pages that arrived together.
     *
     * @param first the first page
     * @param count how many pages, not negative
     */
    public void setRange(long first, long count) {
        long page = first;
        long end = first + count;
        while (page < end) {
            int bit = (int) (page & 63);
            long bits = Math.min(64 - bit, end - page);
            long mask = bits == 64 ? -1L : ((1L << bits) - 1) << bit;
            // The cast makes the call site's type exact, so the VarHandle links directly.
            long ignored = (long) WORDS.getAndBitwiseOr(words, (int) (page >>> 6), mask);
            page += bits;
        }
    }

    /** {@return how many words the bitmap has: word {@code i} holds pages {@code 64·i} to {@code 64·i + 63}} */
    public int words() {
        return words.length;
    }

    /**
     * Clears a word and returns the bits it held, in one atomic step: a bit set by another thread is either in
     * the result or stays set, never lost.
     *
     * @param index the word's index, below {@link #words()}
     * @return its bits before: bit {@code j} is page {@code 64·index + j}
     */
    public long takeWord(int index) {
        return (long) WORDS.getAndSet(words, index, 0L);
    }

    /**
     * {@return the first page from {@code from} on whose bit is clear, or {@code pages} if there is none}
     * @param from  the first page to look at
     * @param pages the number of pages (bits past it are never set)
     */
    public long nextClear(long from, long pages) {
        long page = from;
        while (page < pages) {
            long word = ~(long) WORDS.getVolatile(words, (int) (page >>> 6)) & (-1L << (page & 63));
            if (word != 0) {
                return Math.min(pages, (page & ~63L) + Long.numberOfTrailingZeros(word));
            }
            page = (page & ~63L) + 64;
        }
        return pages;
    }

    /**
     * {@return whether a page's bit is set}
     * @param page the page index
     */
    public boolean isSet(long page) {
        long word = (long) WORDS.getVolatile(words, (int) (page >>> 6));
        return (word & (1L << (page & 63))) != 0;
    }
}
