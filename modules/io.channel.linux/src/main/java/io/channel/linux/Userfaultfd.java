package io.channel.linux;

import io.channel.linux.internal.Syscalls;
import io.channel.linux.internal.gen.errno_h;
import io.channel.linux.internal.gen.fcntl_h;
import io.channel.linux.internal.gen.uffdio_api;
import io.channel.linux.internal.gen.uffdio_range;
import io.channel.linux.internal.gen.uffdio_register;
import io.channel.linux.internal.gen.uffdio_writeprotect;
import io.channel.linux.internal.gen.userfaultfd_h;
import io.channel.memory.DirtyTrackingRefusedException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The {@code userfaultfd} calls of the kernel dirty tracker: a descriptor set up for asynchronous write-protect
 * (Documentation/admin-guide/mm/userfaultfd.rst, "Write Protect Notifications"; include/uapi/linux/userfaultfd.h),
 * registration of a range in write-protect mode, arming, and unregistration. Shared by the availability probe
 * and by each {@link LinuxDirtyTracker}; the descriptors it opens are owned by the caller.
 */
final class Userfaultfd {

    /**
     * What the tracker needs: {@code UFFD_FEATURE_WP_ASYNC} (Linux 6.7), so the kernel resolves write-protect
     * faults itself and only records the write (no fault-handling thread), and {@code UFFD_FEATURE_WP_UNPOPULATED}
     * (Linux 6.4), so pages never touched count as protected and their first write is recorded too.
     */
    static final long FEATURES = userfaultfd_h.UFFD_FEATURE_WP_ASYNC()
            | userfaultfd_h.UFFD_FEATURE_WP_UNPOPULATED();

    private Userfaultfd() {
    }

    /**
     * Opens a {@code userfaultfd} with {@link #FEATURES} enabled: {@code syscall(SYS_userfaultfd,
     * O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY)} then {@code UFFDIO_API}. {@code UFFD_USER_MODE_ONLY}
     * (Linux 5.11) is what lets an unprivileged process use it where {@code vm.unprivileged_userfaultfd} is 0;
     * write-protect needs no more.
     *
     * @param sys the system calls
     * @return the descriptor, owned by the caller
     * @throws DirtyTrackingRefusedException saying what the kernel or the process lacks
     */
    static int open(Syscalls sys) throws DirtyTrackingRefusedException {
        int fd = create(sys);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment api = arena.allocate(uffdio_api.layout());
            uffdio_api.api(api, userfaultfd_h.UFFD_API());
            uffdio_api.features(api, FEATURES);
            int r = sys.ioctl(fd, userfaultfd_h.UFFDIO_API(), api);
            if (r < 0) {
                // EINVAL: a feature asked for is unknown to this kernel; ask again without any to name it.
                throw missingFeatures(offeredFeatures(sys), sys.errors().exception("ioctl(UFFDIO_API)", -r));
            }
            long offered = uffdio_api.features(api);
            if ((offered & FEATURES) != FEATURES) {
                throw missingFeatures(offered, null);
            }
            int open = fd;
            fd = -1;
            return open;
        } finally {
            if (fd >= 0) {
                sys.close(fd);
            }
        }
    }

    private static int create(Syscalls sys) throws DirtyTrackingRefusedException {
        int flags = fcntl_h.O_CLOEXEC() | fcntl_h.O_NONBLOCK() | userfaultfd_h.UFFD_USER_MODE_ONLY();
        int fd = sys.userfaultfd(flags);
        if (fd >= 0) {
            return fd;
        }
        int errno = -fd;
        String why;
        if (errno == errno_h.ENOSYS()) {
            why = "the kernel has no userfaultfd (CONFIG_USERFAULTFD), or a seccomp filter hides it";
        } else if (errno == errno_h.EPERM()) {
            why = "userfaultfd is not permitted to this process: a seccomp filter (container runtimes block it by"
                    + " default), or vm.unprivileged_userfaultfd=0 on a kernel before 5.11 (no UFFD_USER_MODE_ONLY)";
        } else if (errno == errno_h.EINVAL()) {
            why = "the kernel predates UFFD_USER_MODE_ONLY (Linux 5.11)";
        } else {
            why = "the kernel refused a userfaultfd";
        }
        throw new DirtyTrackingRefusedException(why, sys.errors().exception(
                "userfaultfd(O_CLOEXEC|O_NONBLOCK|UFFD_USER_MODE_ONLY)", errno));
    }

    /** {@return the features this kernel offers, from {@code UFFDIO_API} on a fresh descriptor asking for none} */
    private static long offeredFeatures(Syscalls sys) throws DirtyTrackingRefusedException {
        int fd = create(sys);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment api = arena.allocate(uffdio_api.layout());
            uffdio_api.api(api, userfaultfd_h.UFFD_API());
            int r = sys.ioctl(fd, userfaultfd_h.UFFDIO_API(), api);
            if (r < 0) {
                throw new DirtyTrackingRefusedException("the kernel refused the userfaultfd API handshake",
                        sys.errors().exception("ioctl(UFFDIO_API)", -r));
            }
            return uffdio_api.features(api);
        } finally {
            sys.close(fd);
        }
    }

    private static DirtyTrackingRefusedException missingFeatures(long offered, IOException cause) {
        StringBuilder missing = new StringBuilder();
        if ((offered & userfaultfd_h.UFFD_FEATURE_WP_ASYNC()) == 0) {
            missing.append("UFFD_FEATURE_WP_ASYNC (Linux 6.7)");
        }
        if ((offered & userfaultfd_h.UFFD_FEATURE_WP_UNPOPULATED()) == 0) {
            missing.append(missing.isEmpty() ? "" : " and ").append("UFFD_FEATURE_WP_UNPOPULATED (Linux 6.4)");
        }
        return new DirtyTrackingRefusedException("the kernel's userfaultfd lacks " + missing + " (it offers features 0x"
                + Long.toHexString(offered) + ")", cause);
    }

    /**
     * Registers a range for write-protect tracking: {@code UFFDIO_REGISTER} with
     * {@code UFFDIO_REGISTER_MODE_WP}, and checks that the kernel allows {@code UFFDIO_WRITEPROTECT} on it.
     *
     * @param sys    the system calls
     * @param fd     the userfaultfd
     * @param start  the range's first byte, page-aligned
     * @param length its length, a multiple of the page size
     * @throws DirtyTrackingRefusedException if this kind of mapping cannot be write-protected
     */
    static void register(Syscalls sys, int fd, long start, long length) throws DirtyTrackingRefusedException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment register = arena.allocate(uffdio_register.layout());
            range(uffdio_register.range(register), start, length);
            uffdio_register.mode(register, userfaultfd_h.UFFDIO_REGISTER_MODE_WP());
            int r = sys.ioctl(fd, userfaultfd_h.UFFDIO_REGISTER(), register);
            if (r < 0) {
                // EINVAL: a mapping userfaultfd cannot write-protect (for example hugetlbfs or a device mapping
                // on a kernel without support), or a range that is not all mapped.
                throw new DirtyTrackingRefusedException("userfaultfd cannot write-protect this mapping "
                        + describe(start, length), sys.errors().exception("ioctl(UFFDIO_REGISTER)", -r));
            }
            long writeProtect = 1L << userfaultfd_h._UFFDIO_WRITEPROTECT();
            if ((uffdio_register.ioctls(register) & writeProtect) == 0) {
                unregister(sys, fd, start, length);
                throw new DirtyTrackingRefusedException("the kernel registered the mapping " + describe(start, length)
                        + " but offers no UFFDIO_WRITEPROTECT on it", null);
            }
        }
    }

    /**
     * Write-protects a registered range: every page clean from now on ({@code UFFDIO_WRITEPROTECT} with
     * {@code UFFDIO_WRITEPROTECT_MODE_WP}).
     *
     * @param sys    the system calls
     * @param fd     the userfaultfd
     * @param start  the range's first byte
     * @param length its length
     * @throws IOException if the kernel refused
     */
    static void writeProtect(Syscalls sys, int fd, long start, long length) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment protect = arena.allocate(uffdio_writeprotect.layout());
            range(uffdio_writeprotect.range(protect), start, length);
            uffdio_writeprotect.mode(protect, userfaultfd_h.UFFDIO_WRITEPROTECT_MODE_WP());
            int r = sys.ioctl(fd, userfaultfd_h.UFFDIO_WRITEPROTECT(), protect);
            if (r < 0) {
                throw sys.errors().exception("ioctl(UFFDIO_WRITEPROTECT)", -r, describe(start, length));
            }
        }
    }

    /**
     * Unregisters a range ({@code UFFDIO_UNREGISTER}), which also drops its write-protection.
     *
     * @param sys    the system calls
     * @param fd     the userfaultfd
     * @param start  the range's first byte
     * @param length its length
     * @return 0, or {@code -errno}
     */
    static int unregister(Syscalls sys, int fd, long start, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment range = arena.allocate(uffdio_range.layout());
            range(range, start, length);
            return sys.ioctl(fd, userfaultfd_h.UFFDIO_UNREGISTER(), range);
        }
    }

    /** Fills a {@code struct uffdio_range}. */
    private static void range(MemorySegment range, long start, long length) {
        uffdio_range.start(range, start);
        uffdio_range.len(range, length);
    }

    /** {@return a range as {@code [0x7f.., 0x7f..) (N bytes)}} */
    static String describe(long start, long length) {
        return "[0x" + Long.toHexString(start) + ", 0x" + Long.toHexString(start + length) + ") (" + length
                + " bytes)";
    }
}
