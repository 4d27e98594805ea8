package io.channel.memory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Platform memory for migration targets: the service interface, found through {@link java.util.ServiceLoader}
 * like {@link io.channel.spi.ChannelProvider} and chosen by {@link MemoryProviders}. Receiving gigabytes into
 * memory nobody touched yet costs a page fault and a page zeroing per 4 KiB on the receive path; a platform
 * provider can map memory without touching it, back it with huge pages, and populate it ahead of the receivers.
 *
 * <p>Implementations must be cheap to construct and do nothing native in their constructor; a class that can
 * only work on some platforms says so with {@link io.channel.spi.SupportedPlatform}.
 *
 * <p>The portable provider ({@code portable}, in {@code io.channel}) allocates with {@link Arena#allocate}, which
 * zeroes (and so touches) every page, and cannot populate. Nor can it make memory that can be handed to another
 * process ({@link HandoverMemory}): that needs a file in memory, which only a platform provider can make.
 */
public interface MemoryProvider {

    /** {@return a short unique name, used by the {@value MemoryProviders#PROVIDER_PROPERTY} system property} */
    String name();

    /** {@return the priority: higher wins among available providers; the portable provider has 0} */
    int priority();

    /** {@return whether the provider works here; computed once} */
    boolean isAvailable();

    /** {@return why the provider is unavailable, or {@code null} if it is available} */
    Throwable unavailabilityCause();

    /**
     * Throws unless the provider is available.
     *
     * @throws UnsupportedOperationException naming the provider, with the cause attached
     */
    default void ensureAvailability() {
        Throwable cause = unavailabilityCause();
        if (cause != null) {
            throw new UnsupportedOperationException("memory provider '" + name() + "' is unavailable: "
                    + cause.getMessage(), cause);
        }
    }

    /**
     * Allocates zeroed, page-aligned memory that lives as long as {@code arena}.
     *
     * @param byteSize the size in bytes, at least 1
     * @param hugePages whether to ask for transparent huge pages (a hint)
     * @param arena    the arena that owns the memory and frees it when closed
     * @return the memory; untouched (not yet faulted in) where the provider can do that
     * @throws OutOfMemoryError if the memory cannot be had
     */
    MemorySegment allocate(long byteSize, boolean hugePages, Arena arena);

    /** {@return whether {@link #allocate} returns memory that was never touched (its first write faults)} */
    boolean allocatesUntouched();

    /**
     * Faults in a range for writing ahead of its use, so the writer finds the pages present
     * (Linux: {@code madvise(MADV_POPULATE_WRITE)}, {@code man 2 madvise}). Content is unchanged.
     *
     * @param segment the range; it is widened to whole pages
     * @return {@code true} if the range was populated, {@code false} if this provider cannot populate
     */
    boolean populate(MemorySegment segment);

    /**
     * {@return why this provider cannot make memory that can be handed to another process ({@link HandoverMemory}),
     * or {@code null} if it can} The default says plainly that it cannot; a provider that can overrides this with
     * {@code null} when it is available, and implements {@link #allocateForHandover} and
     * {@link #declareForHandover}.
     */
    default Throwable handoverUnavailabilityCause() {
        return new UnsupportedOperationException("memory provider '" + name() + "' cannot make memory that can be"
                + " handed to another process");
    }

    /**
     * Allocates zeroed memory that can be handed to another process: a new file in memory of {@code byteSize}
     * bytes (Linux: {@code memfd_create(2)} with {@code MFD_CLOEXEC}, and {@code MFD_HUGETLB} when
     * {@code hugePages}), sealed against shrinking and growing once sized, and mapped shared.
     *
     * @param name      a name for the file, shown by the system ({@code /proc/PID/fd}); cut to what it allows
     * @param byteSize  the size in bytes, at least 1
     * @param hugePages whether to back it with huge pages (Linux: from the {@code hugetlbfs} pool, which must have
     *                  enough free pages: {@code /proc/sys/vm/nr_hugepages})
     * @param arena     owns the mapping and the descriptor; closing it unmaps and closes both
     * @return the memory and its descriptor
     * @throws IOException                   if the system refuses to make, size, seal or map the file; the message
     *                                       names the call and the system's reason
     * @throws UnsupportedOperationException if this provider cannot ({@link #handoverUnavailabilityCause()})
     */
    default HandoverMemory allocateForHandover(String name, long byteSize, boolean hugePages, Arena arena)
            throws IOException {
        throw refuseHandover();
    }

    /**
     * Declares that an existing shared mapping of a file on {@code tmpfs} or {@code hugetlbfs} can be handed to
     * another process: opens the file and checks that {@code mapping} is a {@code MAP_SHARED} mapping of it from
     * offset 0, and that the file is in memory (it accepts seals: {@code F_GET_SEALS}, {@code man 2 fcntl}).
     *
     * @param mapping the mapping, as {@link java.nio.channels.FileChannel#map} returns it in
     *                {@code READ_WRITE} mode
     * @param file    the file it maps
     * @param arena   owns the descriptor opened here (closing it closes the descriptor); the mapping keeps its
     *                own owner, which must keep it mapped at least as long
     * @return the mapping with the file's descriptor
     * @throws IOException                   if the file cannot be opened, is not in memory, or is not what
     *                                       {@code mapping} maps; the message names the file and the reason
     * @throws UnsupportedOperationException if this provider cannot ({@link #handoverUnavailabilityCause()})
     */
    default HandoverMemory declareForHandover(MemorySegment mapping, Path file, Arena arena) throws IOException {
        throw refuseHandover();
    }

    /**
     * Maps memory another process handed over: an open descriptor of a file in memory, received from it
     * ({@link io.channel.IOChannel#readWithDescriptors}), checked before anything is mapped: a regular file
     * ({@code fstat}), in memory ({@code memfd}, {@code tmpfs} or {@code hugetlbfs}: {@code F_GET_SEALS} works),
     * of exactly {@code fileSize} bytes, which hold {@code byteSize}; when {@code sizeSealed}, sealed against shrinking
     * and growing and against further seals ({@code F_SEAL_SHRINK}, {@code F_SEAL_GROW}, {@code F_SEAL_SEAL}).
     * Then it is mapped shared, readable and writable, from offset 0; pages are faulted in as they are first
     * touched (nothing proportional to the size happens here).
     *
     * <p>Takes ownership of {@code descriptor} in every case: on success {@code arena} owns it with the mapping;
     * on failure it is closed before the exception is thrown, and nothing is mapped.
     *
     * @param descriptor the descriptor received
     * @param byteSize   the memory's size in bytes, at least 1
     * @param fileSize   the file's size the sender announced
     * @param sizeSealed whether the sender announced the size seals
     * @param arena      owns the mapping and the descriptor
     * @return the memory
     * @throws IOException                   naming what is wrong with the descriptor, or the call that failed
     * @throws UnsupportedOperationException if this provider cannot ({@link #handoverUnavailabilityCause()}); the
     *                                       descriptor is then left to the caller
     */
    default HandoverMemory mapHandedOver(int descriptor, long byteSize, long fileSize, boolean sizeSealed, Arena arena)
            throws IOException {
        throw refuseHandover();
    }

    /**
     * Does once, ahead, what the first {@link #mapHandedOver} would do for the first time (link its system calls,
     * load its classes), so that a destination's first mapping, inside a migration's downtime, costs what later ones
     * do. A destination calls it when a source announces memory it will hand over. Does nothing by default.
     *
     * @throws IOException if the dry run fails, which the real mapping would too
     */
    default void prepareForHandover() throws IOException {
    }

    /**
     * Makes memory read-only for this process ({@code mprotect(PROT_READ)}, {@code man 2 mprotect}): after a
     * handover, so that only the process that took the memory writes it. A later write by this process to the
     * range is a fault that ends it, which is the point.
     *
     * @param memory the range; widened to whole pages
     * @return {@code true} if done, {@code false} if this provider cannot
     * @throws IOException if the system refuses
     */
    default boolean writeProtect(MemorySegment memory) throws IOException {
        return false;
    }

    /**
     * {@return the exception that says this provider cannot make memory that can be handed over, with its cause}
     */
    private UnsupportedOperationException refuseHandover() {
        Throwable cause = handoverUnavailabilityCause();
        return new UnsupportedOperationException(cause == null ? "memory provider '" + name() + "' does not"
                + " implement handover" : cause.getMessage(), cause);
    }
}
