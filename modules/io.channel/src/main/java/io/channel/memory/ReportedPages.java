package io.channel.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The pages reported through {@link DirtyTracker#markDirty}, one bit per page, set by any number of writer
 * threads at once and taken (read and cleared, a word at a time, atomically) by the sync. A report racing with
 * a drain lands in this sync or in the next one, never in neither.
 */
final class ReportedPages {

    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long pageCount;
    private final long[] words;

    /**
     * Creates an empty set.
     *
     * @param pageCount the region's pages
     */
    ReportedPages(long pageCount) {
        if (pageCount > (long) Integer.MAX_VALUE * 64) {
            throw new IllegalArgumentException("too many pages to track: " + pageCount);
        }
        this.pageCount = pageCount;
        this.words = new long[(int) ((pageCount + 63) >>> 6)];
    }

    /**
     * Marks the pages {@code [start, end)}.
     *
     * @param start the first page
     * @param end   the page after the last, greater than {@code start}
     */
    void mark(long start, long end) {
        long page = start;
        while (page < end) {
            int word = (int) (page >>> 6);
            int from = (int) (page & 63);
            int to = (int) Math.min(64, from + (end - page));
            long bits = to == 64 ? -1L << from : ((1L << to) - 1) & (-1L << from);
            // A plain read first: a page marked again and again costs no atomic write.
            if (((long) WORDS.getOpaque(words, word) & bits) != bits) {
                WORDS.getAndBitwiseOr(words, word, bits);
            }
            page += to - from;
        }
    }

    /** {@return the marked pages, and clears them} */
    DirtyPages drain() {
        DirtyPages.Builder reported = DirtyPages.builder(pageCount);
        long runStart = -1;
        for (int word = 0; word < words.length; word++) {
            long bits = (long) WORDS.getOpaque(words, word) == 0 ? 0 : (long) WORDS.getAndSet(words, word, 0L);
            long base = (long) word << 6;
            // Walk the runs of ones and of zeros in this word; a run may continue into the next word.
            int bit = 0;
            while (bit < 64) {
                if (runStart < 0) {
                    long ones = bits & (-1L << bit);
                    if (ones == 0) {
                        break;
                    }
                    bit = Long.numberOfTrailingZeros(ones);
                    runStart = base + bit;
                } else {
                    long zeros = ~bits & (-1L << bit);
                    if (zeros == 0) {
                        break;
                    }
                    bit = Long.numberOfTrailingZeros(zeros);
                    reported.add(runStart, base + bit);
                    runStart = -1;
                }
            }
        }
        if (runStart >= 0) {
            reported.add(runStart, pageCount);
        }
        return reported.build();
    }

    /** Forgets every mark. */
    void clear() {
        for (int word = 0; word < words.length; word++) {
            WORDS.getAndSet(words, word, 0L);
        }
    }
}
