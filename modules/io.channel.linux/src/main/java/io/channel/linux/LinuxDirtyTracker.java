package io.channel.linux;

import io.channel.linux.internal.Syscalls;
import io.channel.linux.internal.gen.fcntl_h;
import io.channel.linux.internal.gen.fs_h;
import io.channel.memory.DirtyPages;
import io.channel.memory.DirtyTracker;
import io.channel.memory.DirtyTrackingRefusedException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The kernel dirty tracker for one region: the region registered with its own {@code userfaultfd} in
 * asynchronous write-protect mode, armed with {@code UFFDIO_WRITEPROTECT}, and read back and re-armed in one
 * pass per sync by {@code PAGEMAP_SCAN} on {@code /proc/self/pagemap} ({@link PagemapScan}). No thread reads
 * the {@code userfaultfd}: with {@code UFFD_FEATURE_WP_ASYNC} the kernel resolves each write fault itself and
 * only clears the page's write-protect bit, which is what the scan reports as {@code PAGE_IS_WRITTEN}. Writes
 * the kernel makes on the process's behalf ({@code recv} into the memory) fault the same way and are seen; writes
 * by another process through its own mapping of shared memory are not (report those with
 * {@link #markDirty}).
 *
 * <p>Owns two descriptors (the {@code userfaultfd} and {@code /proc/self/pagemap}) and an arena for the scan
 * buffers; {@link #close()} unregisters the range and frees all three. Close it before the memory is unmapped.
 */
final class LinuxDirtyTracker extends DirtyTracker {

    private static final long PAGE = PagemapScan.PAGE;

    private final Syscalls sys;
    private final long start;
    private final long length;
    private final int uffd;
    private final int pagemap;
    private final Arena arena;
    private final PagemapScan scan;

    private LinuxDirtyTracker(String providerName, MemorySegment memory, Syscalls sys, int uffd, int pagemap) {
        super(providerName, memory);
        this.sys = sys;
        this.start = memory.address();
        this.length = pageCount() * PAGE;
        this.uffd = uffd;
        this.pagemap = pagemap;
        this.arena = Arena.ofShared();
        this.scan = new PagemapScan(start, start + length, PagemapScan.DEFAULT_REGIONS, arena);
    }

    /**
     * Sets up tracking of a region: checks it, opens a {@code userfaultfd} with the needed features, registers
     * the region's pages in write-protect mode, and opens {@code /proc/self/pagemap}. Not armed yet.
     *
     * @param providerName the provider's name
     * @param sys          the system calls
     * @param memory       the region
     * @return the tracker
     * @throws DirtyTrackingRefusedException if this region cannot be tracked by the kernel (not native memory, not
     *                                       page-aligned, a mapping userfaultfd cannot write-protect, a kernel
     *                                       without the features); nothing is left open
     */
    static LinuxDirtyTracker open(String providerName, Syscalls sys, MemorySegment memory)
            throws DirtyTrackingRefusedException {
        if (!memory.isNative()) {
            throw new DirtyTrackingRefusedException("heap memory has no page tables of its own to write-protect",
                    null);
        }
        if ((memory.address() & (PAGE - 1)) != 0) {
            // userfaultfd registers whole pages (Documentation/admin-guide/mm/userfaultfd.rst); a region that
            // shares its first page with other data would report their writes as its own.
            throw new DirtyTrackingRefusedException("the region at 0x" + Long.toHexString(memory.address())
                    + " is not page-aligned (allocate it with 4096-byte alignment)", null);
        }
        long length = (memory.byteSize() + PAGE - 1) & -PAGE;
        int uffd = Userfaultfd.open(sys);
        int pagemap = -1;
        try {
            Userfaultfd.register(sys, uffd, memory.address(), length);
            pagemap = openPagemap(sys);
            LinuxDirtyTracker tracker = new LinuxDirtyTracker(providerName, memory, sys, uffd, pagemap);
            uffd = -1;
            pagemap = -1;
            return tracker;
        } finally {
            if (pagemap >= 0) {
                sys.close(pagemap);
            }
            if (uffd >= 0) {
                // Closing the userfaultfd drops its registrations too (fs/userfaultfd.c, userfaultfd_release).
                sys.close(uffd);
            }
        }
    }

    /** {@return a descriptor of {@code /proc/self/pagemap}, owned by the caller} */
    static int openPagemap(Syscalls sys) throws DirtyTrackingRefusedException {
        try (Arena arena = Arena.ofConfined()) {
            int fd = sys.open(arena.allocateFrom("/proc/self/pagemap"),
                    fcntl_h.O_RDONLY() | fcntl_h.O_CLOEXEC());
            if (fd < 0) {
                throw new DirtyTrackingRefusedException("/proc/self/pagemap cannot be opened (is /proc mounted?)",
                        sys.errors().exception("open(/proc/self/pagemap)", -fd));
            }
            return fd;
        }
    }

    @Override
    protected void implArm() throws IOException {
        Userfaultfd.writeProtect(sys, uffd, start, length);
    }

    @Override
    protected void implSync(DirtyPages.Builder dirty) throws IOException {
        scan.scan(arg -> sys.ioctl(pagemap, fs_h.PAGEMAP_SCAN(), arg),
                (call, errno) -> sys.errors().exception(call, errno, Userfaultfd.describe(start, length)),
                dirty::add);
    }

    @Override
    protected void implClose() {
        // Unregister first: it drops the write-protection while the range is still ours; then the descriptors.
        // Failures are ignored on purpose: closing the userfaultfd unregisters whatever is left.
        Userfaultfd.unregister(sys, uffd, start, length);
        sys.close(uffd);
        sys.close(pagemap);
        arena.close();
    }
}
