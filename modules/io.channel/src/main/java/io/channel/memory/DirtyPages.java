package io.channel.memory;

import java.util.Arrays;
import java.util.Objects;

/**
 * The pages of one tracked region that one {@link DirtyTracker#sync() sync} found dirty: sorted, disjoint,
 * non-adjacent ranges of page indexes, {@code [start, end)}, counted from the first page of the region
 * ({@link DirtyTracker#PAGE_SIZE} bytes each). Immutable, so it can be handed to any thread.
 *
 * <p>Ranges rather than a bitmap because that is what the kernel reports ({@code struct page_region} of
 * {@code PAGEMAP_SCAN}, Documentation/admin-guide/mm/pagemap.rst) and what a sender walks; written pages come
 * in runs, so ranges are small where a bitmap of 2 GiB would be 64 KiB per sync.
 */
public final class DirtyPages {

    private static final long[] NO_RANGES = new long[0];

    private final long pageCount;
    /** {@code start0, end0, start1, end1, ...}, ascending, each end before the next start. */
    private final long[] bounds;
    private final long dirtyPageCount;

    private DirtyPages(long pageCount, long[] bounds, long dirtyPageCount) {
        this.pageCount = pageCount;
        this.bounds = bounds;
        this.dirtyPageCount = dirtyPageCount;
    }

    /**
     * {@return no dirty page in a region of {@code pageCount} pages}
     * @param pageCount the region's pages, not negative
     */
    public static DirtyPages none(long pageCount) {
        return builder(pageCount).build();
    }

    /**
     * {@return a builder for a region of {@code pageCount} pages}
     * @param pageCount the region's pages, not negative
     */
    public static Builder builder(long pageCount) {
        return new Builder(pageCount);
    }

    /** {@return the number of pages of the region (dirty or not)} */
    public long pageCount() {
        return pageCount;
    }

    /** {@return the number of dirty pages} */
    public long dirtyPageCount() {
        return dirtyPageCount;
    }

    /** {@return whether no page is dirty} */
    public boolean isEmpty() {
        return bounds.length == 0;
    }

    /** {@return the number of ranges} */
    public int rangeCount() {
        return bounds.length / 2;
    }

    /**
     * {@return the first page of a range}
     * @param range the range's index, from 0 to {@link #rangeCount()} - 1
     */
    public long start(int range) {
        Objects.checkIndex(range, rangeCount());
        return bounds[2 * range];
    }

    /**
     * {@return the page after the last page of a range}
     * @param range the range's index, from 0 to {@link #rangeCount()} - 1
     */
    public long end(int range) {
        Objects.checkIndex(range, rangeCount());
        return bounds[2 * range + 1];
    }

    /**
     * {@return whether a page is dirty}
     * @param page the page's index in the region
     */
    public boolean contains(long page) {
        Objects.checkIndex(page, pageCount);
        // The bounds array is sorted: a page is dirty when it falls after an odd number of bounds.
        int at = Arrays.binarySearch(bounds, page);
        return at >= 0 ? (at & 1) == 0 : ((-at - 1) & 1) == 1;
    }

    /** Receives ranges of pages. */
    @FunctionalInterface
    public interface RangeConsumer {
        /**
         * Takes one range.
         *
         * @param start the first page
         * @param end   the page after the last one
         */
        void accept(long start, long end);
    }

    /**
     * Hands every range to {@code consumer}, in ascending order.
     *
     * @param consumer what receives them
     */
    public void forEachRange(RangeConsumer consumer) {
        for (int i = 0; i < bounds.length; i += 2) {
            consumer.accept(bounds[i], bounds[i + 1]);
        }
    }

    /**
     * {@return the pages dirty here or in {@code other}}
     * @param other dirty pages of the same region
     * @throws IllegalArgumentException if {@code other} describes a region of another size
     */
    public DirtyPages union(DirtyPages other) {
        if (other.pageCount != pageCount) {
            throw new IllegalArgumentException("cannot unite dirty pages of a region of " + pageCount
                    + " pages with those of a region of " + other.pageCount + " pages");
        }
        if (other.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return other;
        }
        Builder union = builder(pageCount);
        int i = 0;
        int j = 0;
        // Merge by start; the builder folds overlapping and adjacent ranges together.
        while (i < bounds.length || j < other.bounds.length) {
            boolean mine = j >= other.bounds.length || (i < bounds.length && bounds[i] <= other.bounds[j]);
            long[] from = mine ? bounds : other.bounds;
            int at = mine ? i : j;
            union.addOverlapping(from[at], from[at + 1]);
            if (mine) {
                i += 2;
            } else {
                j += 2;
            }
        }
        return union.build();
    }

    /** {@return the ranges as {@code [3,4) [7,9)}, or {@code none}} */
    @Override
    public String toString() {
        if (isEmpty()) {
            return "none";
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < bounds.length; i += 2) {
            if (i > 0) {
                text.append(' ');
            }
            text.append('[').append(bounds[i]).append(',').append(bounds[i + 1]).append(')');
        }
        return text.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DirtyPages that && that.pageCount == pageCount && Arrays.equals(that.bounds, bounds);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(pageCount) * 31 + Arrays.hashCode(bounds);
    }

    /**
     * Collects ranges in ascending order, folding adjacent ones together, for one {@link DirtyPages}. Not
     * thread-safe: one thread builds.
     */
    public static final class Builder {

        private final long pageCount;
        private long[] bounds = NO_RANGES;
        private int size;
        private long dirtyPageCount;

        private Builder(long pageCount) {
            if (pageCount < 0) {
                throw new IllegalArgumentException("pageCount must be >= 0: " + pageCount);
            }
            this.pageCount = pageCount;
        }

        /**
         * Adds a range of pages that starts at or after the end of every range added before.
         *
         * @param start the first page
         * @param end   the page after the last one, greater than {@code start}, at most the region's page count
         * @return this builder
         * @throws IllegalArgumentException if the range is empty, outside the region, or not in ascending order
         */
        public Builder add(long start, long end) {
            checkRange(start, end);
            long last = size == 0 ? 0 : bounds[size - 1];
            if (start < last) {
                throw new IllegalArgumentException("dirty page range [" + start + "," + end
                        + ") added out of order: it starts before the end of the previous range, page " + last);
            }
            append(start, end);
            return this;
        }

        /** Like {@link #add} but a range may overlap the previous one, as long as it does not start before it. */
        private void addOverlapping(long start, long end) {
            checkRange(start, end);
            if (size > 0 && start < bounds[size - 1]) {
                long previousEnd = bounds[size - 1];
                if (end > previousEnd) {
                    bounds[size - 1] = end;
                    dirtyPageCount += end - previousEnd;
                }
                return;
            }
            append(start, end);
        }

        private void checkRange(long start, long end) {
            if (start < 0 || end <= start || end > pageCount) {
                throw new IllegalArgumentException("dirty page range [" + start + "," + end
                        + ") is empty or outside the region's pages [0," + pageCount + ")");
            }
        }

        private void append(long start, long end) {
            dirtyPageCount += end - start;
            if (size > 0 && bounds[size - 1] == start) {
                bounds[size - 1] = end;
                return;
            }
            if (size == bounds.length) {
                bounds = Arrays.copyOf(bounds, Math.max(16, size * 2));
            }
            bounds[size++] = start;
            bounds[size++] = end;
        }

        /** {@return the dirty pages added so far} The builder may go on collecting afterwards. */
        public DirtyPages build() {
            return new DirtyPages(pageCount, size == 0 ? NO_RANGES : Arrays.copyOf(bounds, size), dirtyPageCount);
        }
    }
}
