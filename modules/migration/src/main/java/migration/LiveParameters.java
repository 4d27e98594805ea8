package migration;

import java.time.Duration;

/**
 * How a live migration rounds and converges, with QEMU's names and defaults. Used with {@link SourceHooks} by
 * {@link MigrationSource#startLive}.
 *
 * @param downtimeLimit            switch over once the expected downtime (the dirty bytes left divided by the
 *                                 last rounds' bandwidth, plus the trackers' last sync and the closing round
 *                                 trip) is at most this (QEMU's {@code downtime-limit}, 300 ms); that fixed part
 *                                 counts for at most half of it, since no number of rounds makes it shorter (see
 *                                 {@link LiveStats})
 * @param maxRounds                how many rounds may run before the last one; a migration that has not
 *                                 converged by then fails saying so (no silent endless loop), 2 to 10000. With
 *                                 auto-converge the throttle gets its chance first: past this many rounds it rises
 *                                 every round until it has been at {@code maxCpuThrottle} for two rounds, and a
 *                                 migration still outpaced at the maximum throttle fails as unable to converge
 *                                 even before this many rounds
 * @param autoConverge             whether to throttle the writers through {@link SourceHooks#throttle} when
 *                                 memory is written faster than it moves (QEMU's {@code auto-converge})
 * @param cpuThrottleInitial       the first throttle, percent (QEMU's {@code cpu-throttle-initial}, 20)
 * @param cpuThrottleIncrement     how much each further step adds (QEMU's {@code cpu-throttle-increment}, 10)
 * @param throttleTriggerThreshold throttle when the bytes dirtied during a round exceed this percentage of the
 *                                 bytes sent in it, twice (QEMU's {@code throttle-trigger-threshold}, 50)
 * @param maxCpuThrottle           the largest throttle (QEMU's {@code max-cpu-throttle}, 99)
 * @param tracker                  the dirty-tracker provider by name ({@code linux}, {@code portable},
 *                                 {@code application}), or {@code null} for the best available one per block
 *                                 (see {@link io.channel.memory.DirtyTrackers})
 */
public record LiveParameters(Duration downtimeLimit, int maxRounds, boolean autoConverge, int cpuThrottleInitial,
                             int cpuThrottleIncrement, int throttleTriggerThreshold, int maxCpuThrottle,
                             String tracker) {

    /** QEMU's default downtime limit. */
    public static final Duration DEFAULT_DOWNTIME_LIMIT = Duration.ofMillis(300);
    /** The default round limit. */
    public static final int DEFAULT_MAX_ROUNDS = 100;

    /**
     * Validates the parameters, with messages in QEMU's style.
     *
     * @throws IllegalArgumentException naming the parameter and the values it accepts
     */
    public LiveParameters {
        if (downtimeLimit == null || downtimeLimit.isNegative() || downtimeLimit.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("Parameter 'downtime-limit' expects a duration between 0 and 24 h,"
                    + " but got " + downtimeLimit);
        }
        if (maxRounds < 2 || maxRounds > 10_000) {
            throw new IllegalArgumentException("Parameter 'max-rounds' expects a value between 2 and 10000");
        }
        checkPercent("cpu-throttle-initial", cpuThrottleInitial, 1, 99);
        checkPercent("cpu-throttle-increment", cpuThrottleIncrement, 1, 99);
        checkPercent("throttle-trigger-threshold", throttleTriggerThreshold, 1, 100);
        checkPercent("max-cpu-throttle", maxCpuThrottle, 1, 99);
        if (tracker != null && tracker.isBlank()) {
            throw new IllegalArgumentException("Parameter 'tracker' expects the name of a dirty tracker (such as"
                    + " 'linux' or 'portable'), or none for the best available one");
        }
        tracker = tracker == null ? null : tracker.strip();
    }

    private static void checkPercent(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("Parameter '" + name + "' expects a value between " + min + " and "
                    + max);
        }
    }

    /** {@return QEMU's defaults: 300 ms downtime limit, auto-converge off, throttle 20 + 10 up to 99 at 50%} */
    public static LiveParameters defaults() {
        return new LiveParameters(DEFAULT_DOWNTIME_LIMIT, DEFAULT_MAX_ROUNDS, false, 20, 10, 50, 99, null);
    }

    /**
     * {@return a copy with another downtime limit}
     * @param limit the limit
     */
    public LiveParameters withDowntimeLimit(Duration limit) {
        return new LiveParameters(limit, maxRounds, autoConverge, cpuThrottleInitial, cpuThrottleIncrement,
                throttleTriggerThreshold, maxCpuThrottle, tracker);
    }

    /**
     * {@return a copy with another round limit}
     * @param value 2 to 10000
     */
    public LiveParameters withMaxRounds(int value) {
        return new LiveParameters(downtimeLimit, value, autoConverge, cpuThrottleInitial, cpuThrottleIncrement,
                throttleTriggerThreshold, maxCpuThrottle, tracker);
    }

    /**
     * {@return a copy with auto-converge on or off}
     * @param value whether to throttle
     */
    public LiveParameters withAutoConverge(boolean value) {
        return new LiveParameters(downtimeLimit, maxRounds, value, cpuThrottleInitial, cpuThrottleIncrement,
                throttleTriggerThreshold, maxCpuThrottle, tracker);
    }

    /**
     * {@return a copy that tracks with the named provider}
     * @param name the provider's name, or {@code null} for the best available one
     */
    public LiveParameters withTracker(String name) {
        return new LiveParameters(downtimeLimit, maxRounds, autoConverge, cpuThrottleInitial, cpuThrottleIncrement,
                throttleTriggerThreshold, maxCpuThrottle, name);
    }
}
