package migration.session;

import io.channel.memory.DirtyPages;
import io.channel.memory.DirtyTracker;
import io.channel.memory.DirtyTrackers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import migration.LiveParameters;
import migration.LiveStats;
import migration.MigrationException;
import migration.MigrationProtocol;
import migration.RamBlock;
import migration.multifd.PageDigests;

/**
 * The source's side of iterative precopy, without the channels: one dirty tracker per block, the sync that
 * re-arms them all, the per-round measurements (bandwidth, dirty-pages rate, expected downtime), the
 * auto-converge decision and the live statistics. The control thread owns it; {@link #stats()} is read by any
 * thread.
 */
final class Precopy implements AutoCloseable {

    /** The dirty pages of every block found by one sync, and what the sync cost. */
    record Synced(List<DirtyPages> dirty, long pages, long nanos) {
        /** {@return the bytes to send for these pages (whole pages)} */
        long bytes() {
            return pages * MigrationProtocol.PAGE_SIZE;
        }
    }

    private final LiveParameters params;
    private final List<RamBlock> blocks;
    /** Per block, its tracker; {@code null} for an empty block, which has no page to track. */
    private final List<DirtyTracker> trackers;
    private final List<LiveStats.Tracker> trackerStats;
    private final Convergence convergence;
    private final List<LiveStats.Round> rounds = new CopyOnWriteArrayList<>();
    private volatile long dirtyPagesRate;
    private volatile long expectedDowntimeMillis = -1;
    private volatile long downtimeMillis = -1;
    private volatile LiveStats.DowntimePhases downtimePhases = LiveStats.DowntimePhases.NONE;
    /** What {@link #convergence} decided after the last round; the control thread's only. */
    private Convergence.Next next = Convergence.Next.ROUND;
    /** {@link Convergence#state()} for readers on any thread, or "switched over: ..." once it happened. */
    private volatile String state = "converging";
    private volatile int throttle;
    private long lastSyncNanos;
    /** The smallest sync so far: what the last sync, after the pause, is expected to cost. */
    private long minSyncNanos = Long.MAX_VALUE;
    /** The shortest ROUND_END to ROUND_RECEIVED so far: the fixed part of the trip that ends the last round. */
    private long minRoundTripNanos = Long.MAX_VALUE;
    private final RecentBandwidth recentBandwidth = new RecentBandwidth();

    private Precopy(LiveParameters params, List<RamBlock> blocks, List<DirtyTracker> trackers,
                    List<LiveStats.Tracker> trackerStats) {
        this.params = params;
        this.blocks = blocks;
        this.trackers = trackers;
        this.trackerStats = List.copyOf(trackerStats);
        this.convergence = new Convergence(params);
    }

    /**
     * Makes a tracker for every block, with the provider the parameters name or the best one per block
     * ({@link DirtyTrackers}); does not arm them.
     *
     * @param params the live parameters
     * @param blocks the blocks
     * @param handedOver the indices of the blocks handed over, which get no tracker
     * @return the precopy state, owning the trackers
     * @throws MigrationException if the named tracker does not exist or is unavailable here (with its cause)
     */
    static Precopy create(LiveParameters params, List<RamBlock> blocks, Set<Integer> handedOver)
            throws MigrationException {
        List<DirtyTracker> trackers = new ArrayList<>();
        List<LiveStats.Tracker> stats = new ArrayList<>();
        try {
            for (int b = 0; b < blocks.size(); b++) {
                RamBlock block = blocks.get(b);
                if (block.size() == 0 || handedOver.contains(b)) {
                    trackers.add(null);
                    stats.add(new LiveStats.Tracker(block.name(), "none", block.size() == 0 ? "the block is empty"
                            : "the block is handed over: its descriptor moves, not its pages, so no round sends it"));
                    continue;
                }
                DirtyTracker tracker = params.tracker() == null ? DirtyTrackers.track(block.memory())
                        : DirtyTrackers.track(block.memory(), params.tracker());
                trackers.add(tracker);
                Throwable fallback = tracker.fallbackCause();
                stats.add(new LiveStats.Tracker(block.name(), tracker.providerName(), fallback != null
                        ? fallback.getMessage() : params.tracker() != null ? "asked for by the 'tracker' parameter"
                        : "the best available here (" + DirtyTrackers.TRACKER_PROPERTY + " overrides)"));
            }
        } catch (RuntimeException e) {
            closeAll(trackers);
            throw new MigrationException("cannot track the dirty pages of the ram blocks: " + e.getMessage(), e);
        }
        return new Precopy(params, List.copyOf(blocks), Collections.unmodifiableList(trackers), stats);
    }

    /**
     * Arms every tracker: from now on every write is seen. Called before the first round's pages go out.
     *
     * @throws IOException if a tracker could not arm
     */
    void arm() throws IOException {
        for (DirtyTracker tracker : trackers) {
            if (tracker != null) {
                tracker.arm();
            }
        }
        lastSyncNanos = System.nanoTime();
    }

    /**
     * Syncs every tracker, which re-arms it in the same step: the pages written since the previous sync.
     *
     * @return the dirty pages and the sync's cost
     * @throws IOException if a tracker could not read its log
     */
    Synced sync() throws IOException {
        long start = System.nanoTime();
        List<DirtyPages> dirty = new ArrayList<>(trackers.size());
        long pages = 0;
        for (int b = 0; b < trackers.size(); b++) {
            DirtyTracker tracker = trackers.get(b);
            DirtyPages found = tracker == null ? DirtyPages.none(0) : tracker.sync();
            dirty.add(found);
            pages += found.dirtyPageCount();
        }
        long end = System.nanoTime();
        long since = Math.max(1, end - lastSyncNanos);
        lastSyncNanos = end;
        dirtyPagesRate = (long) (pages * 1e9 / since);
        return new Synced(dirty, pages, end - start);
    }

    /**
     * {@return per block, whether its tracker compares page contents ({@link DirtyTracker#comparesContents()}), so
     * that the senders must send its pages from a copy and take their CRC32C from it}
     */
    List<Boolean> comparesContents() {
        return trackers.stream().map(tracker -> tracker != null && tracker.comparesContents()).toList();
    }

    /**
     * Tells the trackers the CRC32C of every page a round sent (the portable tracker compares against it).
     *
     * @param sent    per block the pages sent, or {@code null} for every page
     * @param digests per block the sent pages' CRC32Cs
     */
    void recordSent(List<DirtyPages> sent, List<PageDigests> digests) {
        for (int b = 0; b < trackers.size(); b++) {
            DirtyTracker tracker = trackers.get(b);
            if (tracker == null) {
                continue;
            }
            PageDigests crcs = digests.get(b);
            if (sent == null) {
                for (long page = 0; page < tracker.pageCount(); page++) {
                    tracker.recordSent(page, crcs.crc(page));
                }
            } else {
                sent.get(b).forEachRange((start, end) -> {
                    for (long page = start; page < end; page++) {
                        tracker.recordSent(page, crcs.crc(page));
                    }
                });
            }
        }
    }

    /**
     * Records a round that ended and the sync after it, and decides what comes next ({@link #next()}).
     *
     * @param round      the round, from 1
     * @param pagesSent  the pages it sent
     * @param sentBytes  the bytes it put on the multifd channels
     * @param roundNanos how long its bytes took, from its first packet to the destination's ROUND_RECEIVED
     * @param tripNanos  from its ROUND_END sent to the ROUND_RECEIVED
     * @param synced     the sync after it
     * @return the throttle to apply now, or -1 to leave it as it is
     */
    int roundEnded(int round, long pagesSent, long sentBytes, long roundNanos, long tripNanos, Synced synced) {
        long bandwidth = (long) (sentBytes * 1e9 / Math.max(1, roundNanos));
        rounds.add(new LiveStats.Round(round, pagesSent, synced.pages(), synced.nanos() / 1000, bandwidth));
        minSyncNanos = Math.min(minSyncNanos, synced.nanos());
        minRoundTripNanos = Math.min(minRoundTripNanos, tripNanos);
        recentBandwidth.add(round, sentBytes, roundNanos);
        long bytesLeft = ExpectedDowntime.bytesLeft(synced.bytes(), dirtyPagesRate * MigrationProtocol.PAGE_SIZE,
                synced.nanos());
        ExpectedDowntime expected = ExpectedDowntime.of(bytesLeft, recentBandwidth.bytesPerSecond(), minSyncNanos,
                minRoundTripNanos);
        expectedDowntimeMillis = expected.millis();
        int before = convergence.throttle();
        next = convergence.afterRound(round, pagesSent, sentBytes, synced.pages(), synced.bytes(),
                recentBandwidth.bytesPerSecond(), expected);
        int after = convergence.throttle();
        throttle = after;
        state = convergence.state();
        return after != before ? after : -1;
    }

    /** {@return why the convergence rule switched over: the expected downtime against the limit} */
    String switchoverReason() {
        return convergence.switchoverReason();
    }

    /**
     * {@return what comes after the last round recorded: another round, the switchover (the expected downtime is
     * within the limit), or giving up ({@link #notConverged()} says why)}
     */
    Convergence.Next next() {
        return next;
    }

    /**
     * Records the last round, sent with the writers paused.
     *
     * @param round      the round
     * @param pagesSent  the pages it sent
     * @param sentBytes  the bytes it put on the multifd channels
     * @param roundNanos how long it took
     * @param syncNanos  how long the last sync took
     */
    void finalRound(int round, long pagesSent, long sentBytes, long roundNanos, long syncNanos) {
        rounds.add(new LiveStats.Round(round, pagesSent, 0, syncNanos / 1000,
                (long) (sentBytes * 1e9 / Math.max(1, roundNanos))));
    }

    /**
     * The switchover happened.
     *
     * @param why what decided it
     */
    void switchedOver(String why) {
        state = "switched over: " + why;
    }

    /**
     * Records the downtime, from the pause to the destination's verdict, and its phases.
     *
     * @param marks {@link System#nanoTime()} at the pause hook's call, then at the end of each phase of
     *              {@link LiveStats.DowntimePhases} in order (six in all)
     */
    void downtime(long... marks) {
        long[] micros = new long[5];
        for (int i = 0; i < micros.length; i++) {
            micros[i] = (marks[i + 1] - marks[i]) / 1000;
        }
        downtimePhases = new LiveStats.DowntimePhases(micros[0], micros[1], micros[2], micros[3], micros[4]);
        downtimeMillis = (marks[5] - marks[0]) / 1_000_000;
    }

    /**
     * Reports bytes the application wrote, for the next sync.
     *
     * @param block  the block's index
     * @param offset the first byte written
     * @param length the bytes written
     * @throws IndexOutOfBoundsException if the bytes are not all inside the block
     */
    void markDirty(int block, long offset, long length) {
        DirtyTracker tracker = trackers.get(block);
        if (tracker == null) {
            Objects.checkFromIndexSize(offset, length, 0);
        } else {
            tracker.markDirty(offset, length);
        }
    }

    /** {@return the current throttle, 0 when not throttling} */
    int throttle() {
        return throttle;
    }

    /** {@return the error of a migration that gave up: why it cannot converge, with its numbers} */
    String notConverged() {
        return convergence.failure();
    }

    /** {@return the live statistics} */
    LiveStats stats() {
        return new LiveStats(true, "live: switch over at " + params.downtimeLimit().toMillis()
                + " ms expected downtime" + (params.autoConverge() ? ", auto-converge on" : ""), dirtyPagesRate,
                expectedDowntimeMillis, downtimeMillis, throttle, state, rounds, trackerStats, downtimePhases);
    }

    /** Closes every tracker; idempotent. */
    @Override
    public void close() {
        closeAll(trackers);
    }

    private static void closeAll(List<DirtyTracker> trackers) {
        for (DirtyTracker tracker : trackers) {
            if (tracker != null) {
                tracker.close();
            }
        }
    }
}
