package migration.session;

import migration.LiveParameters;

/**
 * QEMU's auto-converge decision, without the clock or the hooks: after every round, when the bytes dirtied during
 * it exceed {@code throttle-trigger-threshold} percent of the bytes sent in it for the second time, throttle the
 * writers harder: first to {@code cpu-throttle-initial}, then by {@code cpu-throttle-increment} more each time,
 * up to {@code max-cpu-throttle} (QEMU migration/ram.c, {@code migration_trigger_throttle} and
 * {@code mig_throttle_guest_down}). Not thread-safe: the control thread owns it.
 */
final class AutoConverge {

    private final LiveParameters params;
    private int highRounds;
    private int percent;

    AutoConverge(LiveParameters params) {
        this.params = params;
    }

    /**
     * Takes one round's numbers.
     *
     * @param dirtiedBytes bytes the sync after the round found dirty
     * @param sentBytes    bytes the round sent
     * @return the new throttle percentage, or the current one when it does not change
     */
    int afterRound(long dirtiedBytes, long sentBytes) {
        if (!params.autoConverge()) {
            return percent;
        }
        // In doubles: byte counts times 100 may overflow a long; the precision lost does not matter here.
        boolean high = (double) dirtiedBytes * 100 > (double) sentBytes * params.throttleTriggerThreshold();
        if (high && ++highRounds >= 2) {
            highRounds = 0;
            step();
        }
        return percent;
    }

    /**
     * Throttles one step harder whatever the trigger says: to {@code cpu-throttle-initial}, then by
     * {@code cpu-throttle-increment} more, up to {@code max-cpu-throttle} ({@link Convergence} uses it once
     * {@code max-rounds} is used up, so that the throttle reaches its maximum before the migration gives up).
     *
     * @return the new throttle percentage
     */
    int step() {
        if (params.autoConverge()) {
            percent = percent == 0 ? Math.min(params.maxCpuThrottle(), params.cpuThrottleInitial())
                    : Math.min(params.maxCpuThrottle(), percent + params.cpuThrottleIncrement());
        }
        return percent;
    }

    /** {@return the throttle now, 0 when not throttling} */
    int percent() {
        return percent;
    }

    /** {@return whether the writers are throttled as hard as allowed} */
    boolean atMaximum() {
        return params.autoConverge() && percent >= params.maxCpuThrottle();
    }
}
