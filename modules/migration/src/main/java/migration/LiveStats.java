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
 * @param expectedDowntimeMillis the downtime a switchover now is expected to take ({@code expected-downtime}), -1
 *                              until a round has ended: QEMU's dirty bytes left (with those written while the sync
 *                              ran, at its dirty rate) divided by the bandwidth (the last
 *                              rounds' bytes, up to three pooled, over the time from their first packet to the
 *                              destination's ROUND_RECEIVED), plus the part that does not shrink with the pages left, measured
 *                              during the migration: the trackers' last sync, after the pause, as the smallest sync
 *                              so far, and the round trip that ends the last round, as the shortest ROUND_END to
 *                              ROUND_RECEIVED so far. QEMU leaves the sync out because its sync is cheap next to the pages; ours is
 *                              not always (the portable tracker reads all memory at each sync). The application's
 *                              pause hook is not in it (nothing measures it before the one switchover);
 *                              {@link DowntimePhases} shows every phase afterwards
 * @param downtimeMillis        from the pause to the destination's RESULT ({@code downtime}), -1 until then
 * @param cpuThrottlePercentage the writers' throttle now ({@code cpu-throttle-percentage})
 * @param convergence           "converging", "switched over: ...", or "cannot converge: ..." with the reason
 * @param rounds                one entry per round that has ended
 * @param trackers              the dirty tracker of each block and why
 * @param downtimePhases        where the downtime went, phase by phase
 */
public record LiveStats(boolean live, String mode, long dirtyPagesRate, long expectedDowntimeMillis,
                        long downtimeMillis, int cpuThrottlePercentage, String convergence, List<Round> rounds,
                        List<Tracker> trackers, DowntimePhases downtimePhases) {

    /**
     * Where the downtime went, on the source's clock, in microseconds: its phases in order, which add up to
     * {@code downtime}. Each is -1 until it ended.
     *
     * @param pauseHookMicros the application's pause hook (stopping its writers)
     * @param lastSyncMicros  the last sync of the dirty trackers
     * @param lastRoundMicros the last round: its pages and every channel's SYNC and flush
     * @param completeMicros  from the last round's end to COMPLETE handed to the main channel: the digests (only the pages the last round
     *                        sent again are folded in here; the rest was folded before the pause)
     * @param resultMicros    from COMPLETE to the destination's RESULT: its channels' last bytes, its digest check,
     *                        and the way back
     */
    public record DowntimePhases(long pauseHookMicros, long lastSyncMicros, long lastRoundMicros, long completeMicros,
                                 long resultMicros) {

        /** No phase ended yet. */
        public static final DowntimePhases NONE = new DowntimePhases(-1, -1, -1, -1, -1);
    }

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
        Objects.requireNonNull(downtimePhases, "downtimePhases");
    }

    /**
     * {@return the statistics of a migration that is not live}
     * @param mode why it is not live
     */
    public static LiveStats notLive(String mode) {
        return new LiveStats(false, mode, 0, -1, -1, 0, "not live", List.of(), List.of(), DowntimePhases.NONE);
    }
}
