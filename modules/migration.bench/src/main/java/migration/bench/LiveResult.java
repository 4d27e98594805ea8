package migration.bench;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import migration.LiveStats;

/**
 * One row of {@code multifd bench --live}: a live migration with one dirty tracker, one channel count and one
 * dirty rate, measured by a source worker ({@link LiveWorker}) into a {@code multifd receive} process, or skipped
 * with the reason. The first row of each tracker also carries the tracker's micro-measurements.
 *
 * @param tracker        the tracker asked for
 * @param channels       multifd channels
 * @param rate           the dirty rate as asked for
 * @param bytesPerSecond the rate the writers were given, bytes per second ({@code rate} resolved)
 * @param run            the migration's figures, or {@code null} when skipped
 * @param probe          the tracker's micro-measurements, or {@code null} when not made in this row
 * @param skipped        why the row was not measured, or {@code null}
 */
record LiveResult(String tracker, int channels, DirtyRate rate, long bytesPerSecond, Run run,
                  TrackerProbe.Cost probe, String skipped) {

    /** The first word of the line a source worker prints with its figures. */
    static final String PREFIX = "RESULT";

    /**
     * What one live migration did, from the source's statistics and its writers.
     *
     * @param status            the source's final status ({@code completed}, {@code failed}, …)
     * @param error             the source's error, or empty
     * @param trackerUsed       the tracker of the block as the statistics give it (provider, and why)
     * @param totalMillis       the migration's total time
     * @param rounds            rounds run, the last one included
     * @param downtimeMillis    from the pause to the destination's verdict; -1 if never paused
     * @param expectedMillis    the last expected downtime before the switchover
     * @param convergence       the statistics' convergence text
     * @param maxThrottle       the largest throttle applied to the writers, percent
     * @param firstBandwidth    round 1's bandwidth, bytes per second (every page once: the migration bandwidth)
     * @param syncMicrosMedian  the median of the rounds' tracker sync times
     * @param syncMicrosMax     the largest of them
     * @param writes            pages the writers wrote during the migration
     * @param writerNanos       the writers' mean CPU time per write during the migration
     *                          ({@link PageWriters#cpuNanosPerWrite()})
     * @param phases            where the downtime went, phase by phase ({@code live.downtime-phases-us})
     * @param verified          whether the destination verified the digests (its process succeeded)
     */
    record Run(String status, String error, String trackerUsed, long totalMillis, int rounds, long downtimeMillis,
               long expectedMillis, String convergence, int maxThrottle, long firstBandwidth, long syncMicrosMedian,
               long syncMicrosMax, long writes, double writerNanos, LiveStats.DowntimePhases phases,
               boolean verified) {

        /** {@return whether it completed after switching over within the downtime limit's logic} */
        boolean converged() {
            return status.equals("completed") && convergence.startsWith("switched over");
        }

        /** {@return actual downtime over the last expected downtime; NaN when either is not positive} */
        double downtimeRatio() {
            return downtimeMillis > 0 && expectedMillis > 0 ? downtimeMillis / (double) expectedMillis : Double.NaN;
        }

        /** {@return a copy saying whether the destination verified} @param value whether it did */
        Run withVerified(boolean value) {
            return new Run(status, error, trackerUsed, totalMillis, rounds, downtimeMillis, expectedMillis,
                    convergence, maxThrottle, firstBandwidth, syncMicrosMedian, syncMicrosMax, writes, writerNanos,
                    phases, value);
        }
    }

    /** Checks the components. */
    LiveResult {
        Objects.requireNonNull(tracker, "tracker");
        Objects.requireNonNull(rate, "rate");
        if ((run == null) == (skipped == null)) {
            throw new IllegalArgumentException("a row has figures or a reason it was skipped, not both or neither");
        }
    }

    /** {@return a row that was not measured} */
    static LiveResult skipped(String tracker, int channels, DirtyRate rate, long bytesPerSecond, String why) {
        return new LiveResult(tracker, channels, rate, bytesPerSecond, null, null, why);
    }

    /** {@return whether it was measured} */
    boolean isMeasured() {
        return skipped == null;
    }

    /**
     * {@return the worker's line: {@code RESULT key=value …}, values URL-encoded}
     * @param run   the migration's figures
     * @param probe the micro-measurements, or {@code null}
     */
    static String toLine(Run run, TrackerProbe.Cost probe) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("status", run.status());
        fields.put("error", run.error());
        fields.put("tracker", run.trackerUsed());
        fields.put("total-ms", run.totalMillis());
        fields.put("rounds", run.rounds());
        fields.put("downtime-ms", run.downtimeMillis());
        fields.put("expected-ms", run.expectedMillis());
        fields.put("convergence", run.convergence());
        fields.put("max-throttle", run.maxThrottle());
        fields.put("first-bandwidth", run.firstBandwidth());
        fields.put("sync-us-median", run.syncMicrosMedian());
        fields.put("sync-us-max", run.syncMicrosMax());
        fields.put("writes", run.writes());
        fields.put("writer-ns", run.writerNanos());
        LiveStats.DowntimePhases phases = run.phases();
        fields.put("phases-us", phases.pauseHookMicros() + "/" + phases.lastSyncMicros() + "/"
                + phases.lastRoundMicros() + "/" + phases.completeMicros() + "/" + phases.resultMicros());
        if (probe != null) {
            fields.put("probe-tracker", probe.tracker());
            fields.put("probe-pages", probe.pages());
            fields.put("probe-arm-ms", probe.armMillis());
            fields.put("probe-idle-sync-ms", probe.idleSyncMillis());
            fields.put("probe-sync-ms", probe.syncMillis());
            fields.put("probe-sync-cpu-ms", probe.syncCpuMillis());
            fields.put("probe-tracked-ns", probe.trackedWriteNanos());
            fields.put("probe-untracked-ns", probe.untrackedWriteNanos());
            fields.put("probe-fault-floor-ns", probe.faultFloorNanos());
        }
        StringBuilder line = new StringBuilder(PREFIX);
        fields.forEach((key, value) -> line.append(' ').append(key).append('=')
                .append(URLEncoder.encode(String.valueOf(value), StandardCharsets.UTF_8)));
        return line.toString();
    }

    /**
     * Reads a worker's line into a row.
     *
     * @param line           {@link #toLine}'s output
     * @param tracker        the tracker asked for
     * @param channels       the channels
     * @param rate           the rate asked for
     * @param bytesPerSecond the rate given to the writers
     * @return the row, its destination not verified yet
     * @throws IllegalArgumentException naming the line if a field is missing or malformed
     */
    static LiveResult parse(String line, String tracker, int channels, DirtyRate rate, long bytesPerSecond) {
        Map<String, String> f = new LinkedHashMap<>();
        String[] words = line.strip().split(" ");
        if (!words[0].equals(PREFIX)) {
            throw new IllegalArgumentException("not a live result line: '" + line + "'");
        }
        for (int i = 1; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq > 0) {
                f.put(words[i].substring(0, eq), URLDecoder.decode(words[i].substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        try {
            Run run = new Run(text(f, "status"), text(f, "error"), text(f, "tracker"), number(f, "total-ms"),
                    (int) number(f, "rounds"), number(f, "downtime-ms"), number(f, "expected-ms"),
                    text(f, "convergence"), (int) number(f, "max-throttle"), number(f, "first-bandwidth"),
                    number(f, "sync-us-median"), number(f, "sync-us-max"), number(f, "writes"),
                    Double.parseDouble(text(f, "writer-ns")), phases(text(f, "phases-us")), false);
            TrackerProbe.Cost probe = f.containsKey("probe-tracker") ? new TrackerProbe.Cost(text(f, "probe-tracker"),
                    (int) number(f, "probe-pages"), decimal(f, "probe-arm-ms"), decimal(f, "probe-idle-sync-ms"),
                    decimal(f, "probe-sync-ms"), decimal(f, "probe-sync-cpu-ms"), decimal(f, "probe-tracked-ns"),
                    decimal(f, "probe-untracked-ns"), decimal(f, "probe-fault-floor-ns")) : null;
            return new LiveResult(tracker, channels, rate, bytesPerSecond, run, probe, null);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed live result line '" + line + "': " + e.getMessage(), e);
        }
    }

    private static String text(Map<String, String> fields, String key) {
        String value = fields.get(key);
        if (value == null) {
            throw new IllegalArgumentException("no " + key);
        }
        return value.equals("null") ? "" : value;
    }

    /** {@return the phases from their line form, five microsecond counts separated by '/'} */
    private static LiveStats.DowntimePhases phases(String text) {
        String[] parts = text.split("/");
        if (parts.length != 5) {
            throw new IllegalArgumentException("phases-us '" + text + "' is not five numbers separated by '/'");
        }
        return new LiveStats.DowntimePhases(Long.parseLong(parts[0]), Long.parseLong(parts[1]),
                Long.parseLong(parts[2]), Long.parseLong(parts[3]), Long.parseLong(parts[4]));
    }

    private static long number(Map<String, String> fields, String key) {
        return Long.parseLong(text(fields, key));
    }

    private static double decimal(Map<String, String> fields, String key) {
        return Double.parseDouble(text(fields, key));
    }
}
