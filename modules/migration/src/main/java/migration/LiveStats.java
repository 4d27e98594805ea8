package migration;

import java.util.List;
import java.util.Objects;

/**
 * The live-migration part of {@link MigrationStats}, with QEMU's {@code query-migrate} names where they exist.
 *
 * @param live                  whether the migration runs rounds with dirty tracking
 * @param mode                  why it is or is not live, in words ("live: switch over at 300 ms expected
 *                              downtime", "not live: no pause hook, so one round of every page")
 * @param dirtyPagesRate        pages dirtied per second, measured at the last sync ({@code dirty-pages-rate})
 * @param expectedDowntimeMillis the dirty bytes left divided by the last round's bandwidth
 *                              ({@code expected-downtime}), -1 until a round has ended
 * @param downtimeMillis        from the pause to the destination's RESULT ({@code downtime}), -1 until then
 * @param cpuThrottlePercentage the writers' throttle now ({@code cpu-throttle-percentage})
 * @param convergence           "converging", "switched over: ...", or "cannot converge: ..." with the reason
 * @param rounds                one entry per round that has ended
 * @param trackers              the dirty tracker of each block and why
 */
public record LiveStats(boolean live, String mode, long dirtyPagesRate, long expectedDowntimeMillis,
                        long downtimeMillis, int cpuThrottlePercentage, String convergence, List<Round> rounds,
                        List<Tracker> trackers) {

    /**
     * One round.
     *
     * @param round           from 1
     * @param pagesSent       pages the round sent (every page in round 1, then the dirty ones)
     * @param dirtyPagesFound dirty pages the sync after the round found (0 for the last round)
     * @param syncMicros      how long the trackers' sync took, in microseconds
     * @param bytesPerSecond  the round's bandwidth on the multifd channels
     */
    public record Round(int round, long pagesSent, long dirtyPagesFound, long syncMicros, long bytesPerSecond) {
    }

    /**
     * One block's tracker.
     *
     * @param block   the block's name
     * @param tracker the provider's name
     * @param reason  why this provider: chosen, or why the chosen one refused the block
     */
    public record Tracker(String block, String tracker, String reason) {
    }

    /**
     * Checks and copies the components.
     *
     * @throws NullPointerException if a text or list is null
     */
    public LiveStats {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(convergence, "convergence");
        rounds = List.copyOf(rounds);
        trackers = List.copyOf(trackers);
    }

    /**
     * {@return the statistics of a migration that is not live}
     * @param mode why it is not live
     */
    public static LiveStats notLive(String mode) {
        return new LiveStats(false, mode, 0, -1, -1, 0, "not live", List.of(), List.of());
    }
}
