package io.channel.linux;

import static org.assertj.core.api.Assertions.assertThat;

import io.channel.linux.internal.gen.errno_h;
import io.channel.linux.internal.gen.fcntl_h;
import io.channel.linux.internal.gen.fs_h;
import io.channel.linux.internal.gen.page_region;
import io.channel.linux.internal.gen.pm_scan_arg;
import io.channel.linux.internal.gen.uffdio_api;
import io.channel.linux.internal.gen.uffdio_range;
import io.channel.linux.internal.gen.uffdio_register;
import io.channel.linux.internal.gen.userfaultfd_h;
import io.channel.memory.DirtyTracker;
import io.channel.memory.DirtyTrackers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The kernel tracker's feature checks and refusals against a fake kernel: what a kernel without a feature, a
 * process without permission, or a mapping userfaultfd refuses look like, and that the portable tracker then
 * takes over with the cause.
 */
class LinuxDirtyTrackerWithFakeKernelTest {

    private static final long PAGE = 4096;

    /**
     * A kernel with a scripted userfaultfd and pagemap: what it offers and refuses is set per test; descriptors
     * are counted so that leaks show.
     */
    @SuppressWarnings("restricted") // like the kernel, the fake writes where the scan argument's vec points
    static final class FakeUserfaultfd extends FakeKernel {
        long offeredFeatures = 0x1ffff;
        int userfaultfdErrno;
        int scanErrno;
        long refusedRegistration = -1;
        boolean writeProtectAllowed = true;
        final Set<Integer> open = new HashSet<>();
        final List<String> ioctls = new ArrayList<>();
        private int nextFd = 100;

        private int newFd() {
            int fd = nextFd++;
            open.add(fd);
            return fd;
        }

        @Override
        public int userfaultfd(int flags) {
            ioctls.add("userfaultfd " + flags);
            return userfaultfdErrno != 0 ? -userfaultfdErrno : newFd();
        }

        @Override
        public int open(MemorySegment path, int flags) {
            return newFd();
        }

        @Override
        public int close(int fd) {
            open.remove(fd);
            return 0;
        }

        @Override
        public int ioctl(int fd, long request, MemorySegment arg) {
            if (request == userfaultfd_h.UFFDIO_API()) {
                ioctls.add("UFFDIO_API");
                long asked = uffdio_api.features(arg);
                if ((asked & ~offeredFeatures) != 0) {
                    return -errno_h.EINVAL(); // fs/userfaultfd.c: unknown features are refused
                }
                uffdio_api.features(arg, offeredFeatures);
                return 0;
            }
            if (request == userfaultfd_h.UFFDIO_REGISTER()) {
                ioctls.add("UFFDIO_REGISTER");
                if (uffdio_range.start(uffdio_register.range(arg)) == refusedRegistration) {
                    return -errno_h.EINVAL();
                }
                uffdio_register.ioctls(arg, writeProtectAllowed ? 1L << userfaultfd_h._UFFDIO_WRITEPROTECT() : 0);
                return 0;
            }
            if (request == userfaultfd_h.UFFDIO_WRITEPROTECT() || request == userfaultfd_h.UFFDIO_UNREGISTER()) {
                ioctls.add(request == userfaultfd_h.UFFDIO_WRITEPROTECT() ? "UFFDIO_WRITEPROTECT" : "UFFDIO_UNREGISTER");
                return 0;
            }
            if (request == fs_h.PAGEMAP_SCAN()) {
                ioctls.add("PAGEMAP_SCAN");
                if (scanErrno != 0) {
                    return -scanErrno;
                }
                // Every page of the scanned range was written: one region, the walk complete.
                MemorySegment region = MemorySegment.ofAddress(pm_scan_arg.vec(arg))
                        .reinterpret(page_region.layout().byteSize());
                page_region.start(region, pm_scan_arg.start(arg));
                page_region.end(region, pm_scan_arg.end(arg));
                pm_scan_arg.walk_end(arg, pm_scan_arg.end(arg));
                return 1;
            }
            throw new AssertionError("unexpected ioctl 0x" + Long.toHexString(request));
        }
    }

    private final FakeUserfaultfd kernel = new FakeUserfaultfd();
    private final LinuxDirtyTrackerProvider provider = new LinuxDirtyTrackerProvider(kernel);
    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void closeArena() {
        arena.close();
    }

    @Test
    void aKernelThatTracksIsAvailableAndItsProbeLeavesNothingOpen() {
        assertThat(provider.unavailabilityCause()).isNull();
        assertThat(kernel.ioctls).containsExactly("userfaultfd " + (fcntl_h.O_CLOEXEC()
                        | fcntl_h.O_NONBLOCK() | userfaultfd_h.UFFD_USER_MODE_ONLY()),
                "UFFDIO_API", "UFFDIO_REGISTER", "UFFDIO_WRITEPROTECT", "PAGEMAP_SCAN", "UFFDIO_UNREGISTER");
        assertThat(kernel.open).isEmpty();
    }

    @Test
    void aKernelWithoutAsyncWriteProtectIsUnavailableNamingTheFeatureAndTheRelease() {
        kernel.offeredFeatures = 0x1ffff & ~userfaultfd_h.UFFD_FEATURE_WP_ASYNC();

        assertThat(provider.unavailabilityCause()).hasMessage("the kernel's userfaultfd lacks UFFD_FEATURE_WP_ASYNC"
                + " (Linux 6.7) (it offers features 0x17fff)");
        assertThat(kernel.open).isEmpty();
    }

    @Test
    void aKernelWithoutEitherFeatureNamesBoth() {
        kernel.offeredFeatures = 0x1fff;

        assertThat(provider.unavailabilityCause()).hasMessageContaining(
                "lacks UFFD_FEATURE_WP_ASYNC (Linux 6.7) and UFFD_FEATURE_WP_UNPOPULATED (Linux 6.4)");
    }

    @Test
    void whenTheKernelTrackerIsUnavailableThePortableOneIsChosenAndTheCauseIsSaid() {
        kernel.offeredFeatures = 0x1fff;

        var selection = DirtyTrackers.select(List.of(provider, DirtyTrackers.named("portable")), null);

        assertThat(selection.chosen().name()).isEqualTo("portable");
        assertThat(selection.describe()).contains("passed over 'linux': the kernel's userfaultfd lacks"
                + " UFFD_FEATURE_WP_ASYNC");
    }

    @Test
    void aProcessDeniedUserfaultfdIsToldWhyItMayBe() {
        kernel.userfaultfdErrno = errno_h.EPERM();

        assertThat(provider.unavailabilityCause()).hasMessageContaining("not permitted")
                .hasMessageContaining("seccomp").hasMessageContaining("vm.unprivileged_userfaultfd")
                .rootCause().hasMessageContaining("userfaultfd(O_CLOEXEC|O_NONBLOCK|UFFD_USER_MODE_ONLY) failed");
    }

    @Test
    void aKernelWithoutPagemapScanIsUnavailableSayingSo() {
        kernel.scanErrno = errno_h.ENOTTY();

        assertThat(provider.unavailabilityCause()).hasMessageStartingWith(
                "the kernel has no PAGEMAP_SCAN ioctl (Linux 6.7): ioctl(PAGEMAP_SCAN) failed");
        assertThat(kernel.open).isEmpty();
    }

    @Test
    void aRegionTheKernelRefusesToRegisterIsTrackedByThePortableTrackerWithTheCause() throws Exception {
        MemorySegment memory = arena.allocate(2 * PAGE, PAGE);
        kernel.refusedRegistration = memory.address();

        try (DirtyTracker tracker = DirtyTrackers.track(memory, provider)) {
            assertThat(tracker.providerName()).isEqualTo("portable");
            assertThat(tracker.describe()).startsWith("portable ('linux' refused the region: userfaultfd cannot"
                    + " write-protect this mapping [0x" + Long.toHexString(memory.address()));
            assertThat(tracker.fallbackCause()).rootCause().hasMessageContaining("ioctl(UFFDIO_REGISTER) failed");
        }
        assertThat(kernel.open).isEmpty();
    }

    @Test
    void aRegistrationWithoutWriteProtectIsUndoneAndRefused() throws Exception {
        MemorySegment memory = arena.allocate(2 * PAGE, PAGE);
        assertThat(provider.unavailabilityCause()).isNull();
        kernel.writeProtectAllowed = false;
        kernel.ioctls.clear();

        try (DirtyTracker tracker = DirtyTrackers.track(memory, provider)) {
            assertThat(tracker.fallbackCause()).hasMessageContaining("offers no UFFDIO_WRITEPROTECT");
        }
        assertThat(kernel.ioctls).contains("UFFDIO_UNREGISTER");
        assertThat(kernel.open).isEmpty();
    }

    @Test
    void aTrackerSyncsThroughPagemapScanAndClosesItsDescriptorsOnce() throws Exception {
        MemorySegment memory = arena.allocate(3 * PAGE, PAGE);
        DirtyTracker tracker = provider.track(memory);
        tracker.arm();

        assertThat(tracker.sync()).hasToString("[0,3)");
        assertThat(kernel.open).hasSize(2);

        tracker.close();
        tracker.close();

        assertThat(kernel.open).isEmpty();
        assertThat(kernel.ioctls.stream().filter("UFFDIO_UNREGISTER"::equals)).hasSize(2); // the probe's and ours
    }
}
