package io.channel.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

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
 * zeroes (and so touches) every page, and cannot populate.
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
}
