package io.channel.memory;

import java.lang.foreign.MemorySegment;

/**
 * A way to track the pages written in a region of memory, found through {@link java.util.ServiceLoader} like
 * the channel providers; {@link DirtyTrackers} picks one. This module ships {@code portable} (page checksums,
 * works everywhere) and {@code application} (the application reports its writes); module
 * {@code io.channel.linux} adds {@code linux} (the kernel's {@code userfaultfd} asynchronous write-protect, read
 * with {@code PAGEMAP_SCAN}).
 *
 * <p>Implementations must be cheap to construct and do nothing native in their constructor: the availability
 * check runs lazily, once, and keeps its cause.
 */
public interface DirtyTrackerProvider {

    /** {@return a short unique name, used by the {@value DirtyTrackers#TRACKER_PROPERTY} system property} */
    String name();

    /**
     * {@return the priority: higher wins among available providers} The portable provider has 0. A negative
     * priority means the provider is never picked on its own, only when asked for by name (the
     * application-reported tracker is exact only if the application reports every write).
     */
    int priority();

    /** {@return whether the provider works here} */
    default boolean isAvailable() {
        return unavailabilityCause() == null;
    }

    /**
     * {@return why the provider is unavailable, or {@code null} if it is available; computed once} The cause
     * says exactly why: wrong OS, native access not enabled (with the flag to add), a kernel without a needed
     * feature, switched off by a property.
     */
    Throwable unavailabilityCause();

    /**
     * Throws unless the provider is available.
     *
     * @throws UnsupportedOperationException naming the provider, with the cause attached
     */
    default void ensureAvailability() {
        Throwable cause = unavailabilityCause();
        if (cause != null) {
            throw new UnsupportedOperationException("dirty tracker '" + name() + "' is unavailable: "
                    + cause.getMessage(), cause);
        }
    }

    /**
     * Creates a tracker for a region, not armed yet. Only called when the provider is available.
     *
     * @param memory the region, at least one byte; it must stay mapped until the tracker is closed
     * @return the tracker, owned by the caller
     * @throws DirtyTrackingRefusedException if this provider cannot track this region (a kind of mapping it
     *                                       does not support, an alignment it needs, a feature the kernel lacks);
     *                                       {@link DirtyTrackers} then uses the portable provider
     */
    DirtyTracker track(MemorySegment memory) throws DirtyTrackingRefusedException;
}
