package io.channel.memory.portable;

import io.channel.memory.DirtyPages;
import io.channel.memory.DirtyTracker;
import io.channel.memory.DirtyTrackerProvider;
import java.lang.foreign.MemorySegment;

/**
 * The application-reported dirty tracker ({@code application}): the application calls
 * {@link DirtyTracker#markDirty} after each write, and each sync returns exactly the reported pages. Exact and
 * cheap (a bit set per write, nothing read at sync) when every write is reported, and wrong when one is not,
 * so it is never picked on its own: only by name, with {@code -Dio.channel.dirty.tracker=application} or
 * {@link io.channel.memory.DirtyTrackers#track(MemorySegment, String)}.
 */
public final class ApplicationDirtyTrackerProvider implements DirtyTrackerProvider {

    /** The name of this provider. */
    public static final String NAME = "application";

    /** Creates the provider; used by {@link java.util.ServiceLoader}. */
    public ApplicationDirtyTrackerProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return -1;
    }

    /** {@return {@code null}: available everywhere} */
    @Override
    public Throwable unavailabilityCause() {
        return null;
    }

    @Override
    public DirtyTracker track(MemorySegment memory) {
        return new ReportedOnly(memory);
    }

    /** Knows only what was reported: the base class already adds reports to each sync. */
    private static final class ReportedOnly extends DirtyTracker {

        ReportedOnly(MemorySegment memory) {
            super(NAME, memory);
        }

        @Override
        protected void implArm() {
            // The reports made before the arm were dropped by the caller: nothing else to reset.
        }

        @Override
        protected void implSync(DirtyPages.Builder dirty) {
            // Nothing found by looking: only reports count.
        }

        @Override
        protected void implClose() {
            // Nothing held beyond the report bitmap, which is heap memory.
        }
    }
}
