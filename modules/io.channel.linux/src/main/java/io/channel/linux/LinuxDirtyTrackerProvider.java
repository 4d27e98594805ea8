package io.channel.linux;

import io.channel.NativeIOException;
import io.channel.linux.internal.Syscalls;
import io.channel.linux.internal.gen.errno_h;
import io.channel.memory.DirtyPages;
import io.channel.memory.DirtyTracker;
import io.channel.memory.DirtyTrackerProvider;
import io.channel.memory.DirtyTrackingRefusedException;
import io.channel.spi.SupportedPlatform;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * The kernel dirty tracker ({@code linux}): {@code userfaultfd} asynchronous write-protect read back with
 * {@code PAGEMAP_SCAN}, see {@link LinuxDirtyTracker}. Needs Linux 6.7 ({@code UFFD_FEATURE_WP_ASYNC},
 * {@code PAGEMAP_SCAN}), x86_64 (the generated layouts), and native access for this module. Works unprivileged:
 * the {@code userfaultfd} is opened with {@code UFFD_USER_MODE_ONLY}.
 *
 * <p>Availability is decided once per JVM by a real probe: one page is tracked, written, and must come back as
 * the only dirty page of a sync. A region the kernel refuses (a mapping {@code userfaultfd} cannot write-protect,
 * memory that is not page-aligned) is refused with {@link DirtyTrackingRefusedException}, and
 * {@link io.channel.memory.DirtyTrackers} tracks it with the portable provider.
 */
// IMPORTANT: the platforms Availability.platformCause accepts; selection instantiates nothing else.
@SupportedPlatform(os = "linux", arch = {"amd64", "x86_64"})
public final class LinuxDirtyTrackerProvider implements DirtyTrackerProvider {

    /** The name of this provider. */
    public static final String NAME = "linux";

    private static final long PAGE = PagemapScan.PAGE;

    /** {@code null}: the real system calls, with the availability probed once per JVM. */
    private final Syscalls syscalls;
    /** For other system calls: the probe's outcome, once it ran. */
    private final Object probeLock = new Object();
    private boolean probed;
    private Throwable probeCause;

    /** Creates the provider; used by {@link java.util.ServiceLoader}. Does nothing native. */
    public LinuxDirtyTrackerProvider() {
        this.syscalls = null;
    }

    /**
     * Creates a provider over other system calls (a fake kernel, in tests); its availability is probed once,
     * at the first ask.
     *
     * @param syscalls the system calls
     */
    LinuxDirtyTrackerProvider(Syscalls syscalls) {
        this.syscalls = Objects.requireNonNull(syscalls, "syscalls");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Throwable unavailabilityCause() {
        if (syscalls == null) {
            return Native.CAUSE;
        }
        synchronized (probeLock) {
            if (!probed) {
                probeCause = probe(syscalls);
                probed = true;
            }
            return probeCause;
        }
    }

    @Override
    public DirtyTracker track(MemorySegment memory) throws DirtyTrackingRefusedException {
        ensureAvailability();
        return LinuxDirtyTracker.open(NAME, syscalls == null ? Syscalls.nativeSyscalls() : syscalls, memory);
    }

    /**
     * Tracks one page for real: arm, write, sync, which must report exactly that page.
     *
     * @param sys the system calls
     * @return why the kernel tracker does not work here, or {@code null}
     */
    static Throwable probe(Syscalls sys) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment page = arena.allocate(PAGE, PAGE);
            try (LinuxDirtyTracker tracker = LinuxDirtyTracker.open(NAME, sys, page)) {
                tracker.arm();
                page.set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
                DirtyPages dirty = tracker.sync();
                if (dirty.dirtyPageCount() != 1) {
                    return new UnsupportedOperationException("the kernel tracker reported " + dirty
                            + " for one page written under write-protect, not [0,1)");
                }
                return null;
            }
        } catch (DirtyTrackingRefusedException e) {
            return new UnsupportedOperationException(e.getMessage(), e);
        } catch (IOException e) {
            boolean noScan = e instanceof NativeIOException n && n.errno() == errno_h.ENOTTY();
            return new UnsupportedOperationException(noScan
                    ? "the kernel has no PAGEMAP_SCAN ioctl (Linux 6.7): " + e.getMessage()
                    : "probing the kernel tracker failed: " + e.getMessage(), e);
        }
    }

    private static final class Native {
        static final Throwable CAUSE = check();

        private static Throwable check() {
            Throwable platform = Availability.platformCause();
            return platform != null ? platform : Availability.probeNative(LinuxDirtyTrackerProvider::probe);
        }
    }
}
