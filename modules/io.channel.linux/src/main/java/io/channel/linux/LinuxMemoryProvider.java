package io.channel.linux;

import io.channel.linux.internal.Syscalls;
import io.channel.linux.internal.gen.mman_h;
import io.channel.memory.HandoverMemory;
import io.channel.memory.MemoryProvider;
import io.channel.spi.SupportedPlatform;
import java.lang.foreign.Arena;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Linux memory for migration targets ({@code linux}): fresh anonymous mappings that stay untouched until
 * written, optionally advised to use transparent huge pages, and populated ahead of the receivers with
 * {@code MADV_POPULATE_WRITE} (Linux 5.14, {@code man 2 madvise}).
 *
 * <p>Why: the JDK's {@link Arena#allocate} zeroes what it returns, which faults in every page on the allocating
 * thread. A receiver wants the opposite: memory that costs nothing until the data arrives, and faults taken in
 * bulk, off the receive path, 2 MiB at a time where huge pages are allowed.
 *
 * <p>It also makes memory that can be handed to another process ({@link HandoverMemory}): a sealed {@code memfd},
 * or an existing shared mapping of a {@code tmpfs} or {@code hugetlbfs} file ({@link MemfdMemory}).
 *
 * <p>{@link io.channel.memory.MemoryProviders} prefers it where it is available;
 * {@code -Dio.channel.memory.provider=portable} turns it down.
 */
// IMPORTANT: the platforms Availability.platformCause accepts; selection instantiates nothing else.
@SupportedPlatform(os = "linux", arch = {"amd64", "x86_64"})
public final class LinuxMemoryProvider implements MemoryProvider {

    /** The name of this provider. */
    public static final String NAME = "linux";

    private static final long PAGE = 4096;
    /** The x86_64 PMD size: a transparent huge page covers this much, aligned to it. */
    private static final long HUGE_PAGE = 2L << 20;

    private static final System.Logger LOG = System.getLogger("io.channel.linux");
    private static final AtomicBoolean POPULATE_UNSUPPORTED_LOGGED = new AtomicBoolean();

    private final Syscalls syscalls;

    /** Creates the provider; used by {@link java.util.ServiceLoader}. Does nothing native. */
    public LinuxMemoryProvider() {
        this(null);
    }

    LinuxMemoryProvider(Syscalls syscalls) {
        this.syscalls = syscalls;
    }

    private Syscalls syscalls() {
        return syscalls != null ? syscalls : Syscalls.nativeSyscalls();
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
    public boolean isAvailable() {
        return unavailabilityCause() == null;
    }

    @Override
    public Throwable unavailabilityCause() {
        return Availability.platformCause();
    }

    @Override
    public boolean allocatesUntouched() {
        return true;
    }

    @Override
    public MemorySegment allocate(long byteSize, boolean hugePages, Arena arena) {
        if (byteSize < 1) {
            throw new IllegalArgumentException("byteSize must be >= 1: " + byteSize);
        }
        Syscalls sys = syscalls();
        long length = roundUp(byteSize, PAGE);
        // A huge page needs a 2 MiB-aligned range: map 2 MiB more and trim both ends.
        long mapped = hugePages ? length + HUGE_PAGE : length;
        // man 2 mmap: anonymous private memory is zero-filled on first touch; nothing is touched here.
        long address = sys.mmapAnonymous(mapped, mman_h.PROT_READ() | mman_h.PROT_WRITE(),
                mman_h.MAP_PRIVATE() | mman_h.MAP_ANONYMOUS());
        if (address < 0 && address >= -4095) {
            throw new OutOfMemoryError("mmap(" + mapped + " bytes, MAP_PRIVATE|MAP_ANONYMOUS) failed: "
                    + sys.errors().strerror((int) -address));
        }
        try {
            long start = address;
            if (hugePages) {
                start = roundUp(address, HUGE_PAGE);
                unmap(sys, address, start - address);
                unmap(sys, start + length, address + mapped - (start + length));
                // Only a hint: EINVAL where THP is compiled out; "never" in
                // /sys/kernel/mm/transparent_hugepage/enabled makes it a no-op.
                sys.madvise(start, length, mman_h.MADV_HUGEPAGE());
            }
            long base = start;
            return MemorySegment.ofAddress(base).reinterpret(byteSize, arena, segment -> unmap(sys, base, length));
        } catch (RuntimeException | Error e) {
            // A failed trim, or an arena that cannot own the memory: nothing owns the mapping yet, so release all
            // of it here. man 2 munmap: a range that is partly unmapped already is not an error.
            int r = sys.munmap(address, mapped);
            if (r != 0) {
                e.addSuppressed(new IllegalStateException("releasing the whole mapping, munmap("
                        + Long.toHexString(address) + ", " + mapped + ") failed too: " + sys.errors().strerror(-r)));
            }
            throw e;
        }
    }

    /** {@inheritDoc} {@code null} wherever the provider is available: every Linux since 3.17 has memfd. */
    @Override
    public Throwable handoverUnavailabilityCause() {
        return unavailabilityCause();
    }

    @Override
    public HandoverMemory allocateForHandover(String name, long byteSize, boolean hugePages, Arena arena)
            throws IOException {
        ensureAvailability();
        HandoverMemory memory = MemfdMemory.allocate(syscalls(), name, byteSize, hugePages, arena);
        rehearseHandover();
        return memory;
    }

    @Override
    public HandoverMemory declareForHandover(MemorySegment mapping, Path file, Arena arena) throws IOException {
        ensureAvailability();
        HandoverMemory memory = MemfdMemory.declare(syscalls(), mapping, file, arena, MemfdMemory.procSelfMaps());
        rehearseHandover();
        return memory;
    }

    /**
     * Memory that can be handed over will be, over a Unix domain socket: rehearses that while the application
     * runs ({@link HandoverRehearsal}), so that the handover does not pay for a fresh JVM's first run of it.
     */
    private void rehearseHandover() {
        if (syscalls == null) {
            HandoverRehearsal.startOnce();
        }
    }

    @Override
    public HandoverMemory mapHandedOver(int descriptor, long byteSize, long fileSize, boolean sizeSealed, Arena arena)
            throws IOException {
        ensureAvailability();
        return MemfdMemory.map(syscalls(), descriptor, byteSize, fileSize, sizeSealed, arena);
    }

    /**
     * {@inheritDoc} A dry run of the whole path on a page of its own: a sealed memfd, reopened through
     * {@code /proc/self/fd} as a second descriptor (as a received one is another descriptor of the same file),
     * checked, mapped, unmapped and closed.
     */
    @Override
    public void prepareForHandover() throws IOException {
        ensureAvailability();
        Syscalls sys = syscalls();
        try (Arena arena = Arena.ofShared()) {
            HandoverMemory memory = MemfdMemory.allocate(sys, "multifd-handover-dry-run", PAGE, false, arena);
            int second;
            try (Arena scratch = Arena.ofConfined()) {
                second = sys.open(scratch.allocateFrom("/proc/self/fd/" + memory.descriptor()),
                        io.channel.linux.internal.gen.fcntl_h.O_RDWR() | io.channel.linux.internal.gen.fcntl_h
                                .O_CLOEXEC());
            }
            if (second < 0) {
                throw new IOException("reopening a memfd through /proc/self/fd failed: "
                        + sys.errors().strerror(-second));
            }
            MemfdMemory.map(sys, second, PAGE, memory.fileSize(), true, arena);
        }
    }

    @Override
    public boolean writeProtect(MemorySegment memory) throws IOException {
        ensureAvailability();
        MemfdMemory.writeProtect(syscalls(), memory);
        return true;
    }

    @Override
    public boolean populate(MemorySegment segment) {
        if (segment.byteSize() == 0) {
            return false;
        }
        long start = segment.address() & -PAGE;
        long end = roundUp(segment.address() + segment.byteSize(), PAGE);
        Syscalls sys = syscalls();
        int r = sys.madvise(start, end - start, mman_h.MADV_POPULATE_WRITE());
        if (r == 0) {
            return true;
        }
        // EINVAL: a kernel before 5.14, or a mapping that cannot be populated; the receive path then takes the
        // faults itself, which is correct, only slower.
        if (POPULATE_UNSUPPORTED_LOGGED.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.DEBUG, () -> "madvise(MADV_POPULATE_WRITE) failed: "
                    + sys.errors().strerror(-r) + "; receivers fault pages in themselves");
        }
        return false;
    }

    private static void unmap(Syscalls sys, long address, long length) {
        if (length == 0) {
            return;
        }
        int r = sys.munmap(address, length);
        if (r != 0) {
            // Only on a bug (a bad range): never leave it silent.
            throw new IllegalStateException("munmap(" + Long.toHexString(address) + ", " + length + ") failed: "
                    + sys.errors().strerror(-r));
        }
    }

    private static long roundUp(long value, long multiple) {
        return (value + multiple - 1) & -multiple;
    }
}
