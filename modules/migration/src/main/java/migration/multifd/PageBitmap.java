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

    /**
     * {@return whether a page's bit is set}
     * @param page the page index
     */
    public boolean isSet(long page) {
        long word = (long) WORDS.getVolatile(words, (int) (page >>> 6));
        return (word & (1L << (page & 63))) != 0;
    }
}
