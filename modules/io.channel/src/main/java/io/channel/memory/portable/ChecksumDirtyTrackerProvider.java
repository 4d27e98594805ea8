package io.channel.memory.portable;

import io.channel.memory.DirtyTracker;
import io.channel.memory.DirtyTrackerProvider;
import java.lang.foreign.MemorySegment;

/**
 * The portable dirty tracker ({@code portable}): page checksums compared at each sync, see
 * {@link ChecksumDirtyTracker}. Available everywhere and for any memory; it is what {@link io.channel.memory.DirtyTrackers} falls
 * back to when a better provider is unavailable or refuses a region.
 */
public final class ChecksumDirtyTrackerProvider implements DirtyTrackerProvider {

    /** The name of this provider. */
    public static final String NAME = "portable";

    /** Creates the provider; used by {@link java.util.ServiceLoader}. */
    public ChecksumDirtyTrackerProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    /** {@return {@code null}: available everywhere} */
    @Override
    public Throwable unavailabilityCause() {
        return null;
    }

    @Override
    public DirtyTracker track(MemorySegment memory) {
        return new ChecksumDirtyTracker(NAME, memory);
    }
}
