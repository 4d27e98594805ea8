package migration.cli;

import java.io.PrintWriter;
import java.util.Locale;
import migration.LiveStats;
import migration.MigrationStats;
import migration.cli.live.PageWriters;

/**
 * The lines {@code multifd demo --live} adds to its summary; its writers are {@link PageWriters}.
 */
final class LiveDemo {

    private LiveDemo() {
    }

    /**
     * Prints the live part of the summary: rounds, expected against actual downtime, throttling, trackers.
     *
     * @param out     where to print
     * @param stats   the source's final statistics
     * @param writers the demo's writers
     */
    static void summarize(PrintWriter out, MigrationStats stats, PageWriters writers) {
        LiveStats live = stats.live();
        out.printf(Locale.ROOT, "  live        %s%n", live.mode().replaceFirst("^live: ", ""));
        out.printf(Locale.ROOT, "  rounds      %d (%s)%n", live.rounds().size(), live.convergence());
        for (LiveStats.Round round : live.rounds()) {
            out.printf(Locale.ROOT, "    round %-3d %,d pages sent, %,d dirty after it, sync %.1f ms, %s/s%n",
                    round.round(), round.pagesSent(), round.dirtyPagesFound(), round.syncMicros() / 1000.0,
                    ByteSize.format(round.bytesPerSecond()));
        }
        // No round before the pause (every block handed over) measured no bandwidth to expect a downtime from.
        out.printf(Locale.ROOT, "  downtime    %d ms (%s; pausing the writers took %.1f ms)%n",
                live.downtimeMillis(), live.expectedDowntimeMillis() < 0 ? "none expected: no round measured the"
                        + " bandwidth" : "expected " + live.expectedDowntimeMillis() + " ms",
                writers.pauseTookNanos() / 1e6);
        LiveStats.DowntimePhases phases = live.downtimePhases();
        out.printf(Locale.ROOT, "    phases    pause hook %.1f ms, last sync %.1f ms, last round %.1f ms, COMPLETE %.1f ms,"
                        + " COMPLETE to RESULT %.1f ms%n", phases.pauseHookMicros() / 1e3, phases.lastSyncMicros() / 1e3,
                phases.lastRoundMicros() / 1e3, phases.completeMicros() / 1e3, phases.resultMicros() / 1e3);
        out.printf(Locale.ROOT, "  throttle    %s%n", writers.maxThrottle() == 0 ? "none"
                : "up to " + writers.maxThrottle() + "% (auto-converge)");
        for (LiveStats.Tracker tracker : live.trackers()) {
            out.printf(Locale.ROOT, "  tracker     %s: %s (%s)%n", tracker.block(), tracker.tracker(),
                    tracker.reason());
        }
        if (stats.writeProtectTimeMillis() > 0) {
            out.printf(Locale.ROOT, "  released    the source's mapping made read-only in %d ms, after COMMIT (not in the"
                    + " time above)%n", stats.writeProtectTimeMillis());
        }
        out.flush();
    }
}
