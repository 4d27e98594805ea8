package io.channel.linux;

import io.channel.linux.internal.gen.fs_h;
import io.channel.linux.internal.gen.page_region;
import io.channel.linux.internal.gen.pm_scan_arg;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * One sync of the kernel dirty tracker over a page-aligned range: the {@code PAGEMAP_SCAN} ioctl on
 * {@code /proc/self/pagemap} asked for the pages written since they were last write-protected
 * ({@code PAGE_IS_WRITTEN}) and to write-protect exactly those again in the same pass
 * ({@code PM_SCAN_WP_MATCHING}), refusing pages without asynchronous write-protect
 * ({@code PM_SCAN_CHECK_WPASYNC}). Documentation/admin-guide/mm/pagemap.rst, "Pagemap Scan IOCTL";
 * {@code struct pm_scan_arg} and {@code struct page_region} of include/uapi/linux/fs.h (Linux 6.7).
 *
 * <p>The kernel stops early when {@code vec} is full and says where in {@code walk_end}: the scan goes on
 * from there until {@code walk_end} reaches {@code end}, or the pages after it would stay write-protected
 * with their written state unread, and their writes lost. Pure logic around an injected ioctl, so the
 * continuation and the decoding are tested without a kernel.
 *
 * <p>Owned by one tracker and used under its lock: the argument and the region buffer live in the arena
 * given at construction and are reused by every scan.
 */
final class PagemapScan {

    /** The x86_64 base page: the granularity of {@code page_region} bounds. */
    static final long PAGE = 4096;
    /** Regions per ioctl: 12 KiB of {@code page_region}; more pass only through continuation. */
    static final int DEFAULT_REGIONS = 512;

    /** The ioctl: {@code ioctl(pagemap_fd, PAGEMAP_SCAN, arg)}. */
    @FunctionalInterface
    interface Call {
        /**
         * Runs one scan.
         *
         * @param arg a {@code struct pm_scan_arg}; the kernel writes its {@code walk_end}
         * @return the number of {@code page_region}s written to {@code arg.vec}, or {@code -errno}
         */
        long ioctl(MemorySegment arg);
    }

    /** Turns a failed call into the exception to throw. */
    @FunctionalInterface
    interface Failure {
        /**
         * {@return the exception}
         * @param call  the call as written in C
         * @param errno the positive error number
         */
        IOException exception(String call, int errno);
    }

    /** Receives the written pages, ascending. */
    @FunctionalInterface
    interface WrittenPages {
        /**
         * Takes a run of written pages.
         *
         * @param start the first page, counted from the scanned range's first page
         * @param end   the page after the last
         */
        void add(long start, long end);
    }

    private final long start;
    private final long end;
    private final int regions;
    private final MemorySegment arg;
    private final MemorySegment vec;

    /**
     * Prepares scans of a range.
     *
     * @param start   the range's first byte, page-aligned
     * @param end     the byte after its last one, page-aligned, above {@code start}
     * @param regions how many {@code page_region}s one ioctl may return, at least 1
     * @param arena   owns the argument and the region buffer
     */
    PagemapScan(long start, long end, int regions, Arena arena) {
        if ((start & (PAGE - 1)) != 0 || (end & (PAGE - 1)) != 0 || end <= start) {
            throw new IllegalArgumentException("PAGEMAP_SCAN needs a non-empty page-aligned range: [0x"
                    + Long.toHexString(start) + ", 0x" + Long.toHexString(end) + ")");
        }
        if (regions < 1) {
            throw new IllegalArgumentException("regions must be >= 1: " + regions);
        }
        this.start = start;
        this.end = end;
        this.regions = regions;
        this.arg = arena.allocate(pm_scan_arg.layout());
        this.vec = arena.allocate(page_region.layout(), regions);
    }

    /**
     * Reads and re-arms the written state of every page of the range.
     *
     * @param call    the ioctl
     * @param failure the errno mapping
     * @param written receives the written pages, ascending, adjacent runs possibly split across ioctls
     * @return the number of ioctls it took
     * @throws IOException if an ioctl failed, or the kernel answered something impossible; the range's written
     *                     state is then partly consumed and the tracker must not be trusted any more
     */
    int scan(Call call, Failure failure, WrittenPages written) throws IOException {
        long from = start;
        int calls = 0;
        while (true) {
            prepare(from);
            long found = call.ioctl(arg);
            calls++;
            if (found < 0) {
                // No retry, not even on EINTR: the kernel may have re-protected pages it did not report.
                throw failure.exception("ioctl(PAGEMAP_SCAN)", (int) -found);
            }
            long walkEnd = pm_scan_arg.walk_end(arg);
            if (found > regions || walkEnd < from || walkEnd > end) {
                throw new IOException("ioctl(PAGEMAP_SCAN) over [0x" + Long.toHexString(from) + ", 0x"
                        + Long.toHexString(end) + ") answered " + found + " regions of at most " + regions
                        + " and walk_end 0x" + Long.toHexString(walkEnd));
            }
            for (int i = 0; i < found; i++) {
                MemorySegment region = page_region.asSlice(vec, i);
                long regionStart = page_region.start(region);
                long regionEnd = page_region.end(region);
                if (regionStart < from || regionEnd > walkEnd || regionEnd <= regionStart
                        || ((regionStart | regionEnd) & (PAGE - 1)) != 0) {
                    throw new IOException("ioctl(PAGEMAP_SCAN) reported the region [0x"
                            + Long.toHexString(regionStart) + ", 0x" + Long.toHexString(regionEnd)
                            + ") outside the scanned [0x" + Long.toHexString(from) + ", 0x"
                            + Long.toHexString(walkEnd) + ")");
                }
                written.add((regionStart - start) / PAGE, (regionEnd - start) / PAGE);
            }
            if (walkEnd == end) {
                return calls;
            }
            if (walkEnd == from && found == 0) {
                throw new IOException("ioctl(PAGEMAP_SCAN) made no progress at 0x" + Long.toHexString(from));
            }
            from = walkEnd;
        }
    }

    private void prepare(long from) {
        pm_scan_arg.size(arg, pm_scan_arg.layout().byteSize());
        pm_scan_arg.flags(arg, fs_h.PM_SCAN_WP_MATCHING() | fs_h.PM_SCAN_CHECK_WPASYNC());
        pm_scan_arg.start(arg, from);
        pm_scan_arg.end(arg, end);
        pm_scan_arg.walk_end(arg, 0);
        pm_scan_arg.vec(arg, vec.address());
        pm_scan_arg.vec_len(arg, regions);
        pm_scan_arg.max_pages(arg, 0);
        pm_scan_arg.category_inverted(arg, 0);
        // Only written pages match, and only they are re-protected by PM_SCAN_WP_MATCHING.
        pm_scan_arg.category_mask(arg, fs_h.PAGE_IS_WRITTEN());
        pm_scan_arg.category_anyof_mask(arg, 0);
        pm_scan_arg.return_mask(arg, fs_h.PAGE_IS_WRITTEN());
    }
}
