package migration.bench;

import io.channel.memory.DirtyTrackerProvider;
import io.channel.memory.DirtyTrackers;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Runs {@code multifd bench --live}: for each tracker, channel count and dirty rate, one live migration from a
 * fresh source worker ({@link LiveWorker}) into a fresh {@code multifd receive --size} process of the tool over
 * loopback. The first row of each tracker also measures the tracker on its own ({@link TrackerProbe}). Rates
 * relative to the bandwidth use round 1's bandwidth of the first row at rate 0 with the same channel count,
 * which the schedule puts first ({@link LiveOptions#schedule()}).
 */
public final class LiveRunner {

    private final LiveOptions options;
    private final PrintWriter progress;
    private final long timeoutSeconds;

    /**
     * @param options  what to measure
     * @param progress where progress lines go (standard error)
     */
    public LiveRunner(LiveOptions options, PrintWriter progress) {
        this.options = options;
        this.progress = progress;
        this.timeoutSeconds = 180 + options.size() / (8L << 20);
    }

    /**
     * Runs every row.
     *
     * @param commandLine the command line, for the report
     * @return the report
     */
    public LiveReport run(String commandLine) {
        String date = ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        Map<Integer, Long> bandwidths = new LinkedHashMap<>();
        List<LiveResult> results = new ArrayList<>();
        List<DirtyRate> rates = options.schedule();
        int count = options.trackers().size() * options.channels().size() * rates.size();
        int index = 0;
        for (String tracker : options.trackers()) {
            Optional<String> unavailable = unavailable(tracker);
            boolean probe = true;
            for (int channels : options.channels()) {
                for (DirtyRate rate : rates) {
                    index++;
                    Long bandwidth = bandwidths.get(channels);
                    long bytesPerSecond = rate.relative() && bandwidth != null ? rate.resolve(bandwidth)
                            : rate.bytesPerSecond();
                    progress.printf(Locale.ROOT, "[live %d/%d] tracker %s, %d channel(s), dirty rate %s%s: ", index,
                            count, tracker, channels, rate.label(), rate.relative() && bandwidth != null
                                    ? " (" + mib(bytesPerSecond) + " MiB/s)" : "");
                    progress.flush();
                    LiveResult result;
                    if (unavailable.isPresent()) {
                        result = LiveResult.skipped(tracker, channels, rate, bytesPerSecond, unavailable.get());
                    } else if (rate.relative() && bandwidth == null) {
                        result = LiveResult.skipped(tracker, channels, rate, 0, "no bandwidth measured with "
                                + channels + " channel(s): no row at rate 0 completed");
                    } else {
                        result = measure(tracker, channels, rate, bytesPerSecond, probe);
                    }
                    if (result.isMeasured()) {
                        probe &= result.probe() == null;
                        if (!rate.relative() && rate.bytesPerSecond() == 0 && result.run().status().equals("completed")
                                && result.run().firstBandwidth() > 0) {
                            bandwidths.putIfAbsent(channels, result.run().firstBandwidth());
                        }
                    }
                    progress.println(describe(result));
                    progress.flush();
                    results.add(result);
                }
            }
        }
        return new LiveReport(date, commandLine, Machine.current(), options, bandwidths, results);
    }

    /** Measures one row: a receiver, then a source worker that migrates to it. */
    private LiveResult measure(String tracker, int channels, DirtyRate rate, long bytesPerSecond, boolean probe) {
        List<String> receive = new ArrayList<>(ColdRunner.tool());
        receive.addAll(List.of("receive", "--listen", "127.0.0.1:0", "--size", Long.toString(options.size())));
        try (ToolProcess receiver = ToolProcess.start(receive, "multifd receive")) {
            String address = receiver.awaitError("listening on ", timeoutSeconds).strip();
            int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
            LiveWorker.Spec spec = new LiveWorker.Spec(tracker, options.size(), channels, bytesPerSecond, port,
                    options.downtimeMillis(), options.autoConverge(), probe);
            ProcessBuilder builder = new ProcessBuilder(WorkerProcess.bench("--live-worker", spec.toArgument()))
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            try (WorkerProcess source = WorkerProcess.of(builder.start(), "live source (tracker " + tracker + ")")) {
                LiveResult result = LiveResult.parse(source.await(LiveResult.PREFIX, timeoutSeconds), tracker,
                        channels, rate, bytesPerSecond);
                boolean verified;
                try {
                    receiver.awaitSuccess(timeoutSeconds);
                    verified = true;
                } catch (IOException e) {
                    if (result.run().status().equals("completed")) {
                        throw e;
                    }
                    verified = false; // The source failed first; its error is the row's story.
                }
                return new LiveResult(tracker, channels, rate, bytesPerSecond, result.run().withVerified(verified),
                        result.probe(), null);
            }
        } catch (IOException | RuntimeException e) {
            return LiveResult.skipped(tracker, channels, rate, bytesPerSecond, "failed: " + BenchWorker.oneLine(e));
        }
    }

    /** {@return why the named tracker cannot be measured in this runtime, if it cannot} */
    static Optional<String> unavailable(String tracker) {
        DirtyTrackerProvider provider;
        try {
            provider = DirtyTrackers.named(tracker);
        } catch (RuntimeException e) {
            return Optional.of("dirty tracker '" + tracker + "' is not in this runtime: " + BenchWorker.oneLine(e));
        }
        Throwable cause = provider.unavailabilityCause();
        return cause == null ? Optional.empty()
                : Optional.of("dirty tracker '" + tracker + "' is unavailable: " + cause.getMessage());
    }

    private static String describe(LiveResult r) {
        if (!r.isMeasured()) {
            return "skipped: " + r.skipped();
        }
        LiveResult.Run run = r.run();
        return String.format(Locale.ROOT, "%s in %.2f s, %d rounds, downtime %d ms (expected %d ms), throttle %d%%,"
                        + " %s%s", run.status(), run.totalMillis() / 1000.0, run.rounds(), run.downtimeMillis(),
                run.expectedMillis(), run.maxThrottle(), run.convergence(),
                r.probe() == null ? "" : String.format(Locale.ROOT, "; tracker alone: sync %.2f ms, first write"
                        + " %.0f ns (untracked %.0f ns)", r.probe().syncMillis(), r.probe().trackedWriteNanos(),
                        r.probe().untrackedWriteNanos()));
    }

    static long mib(long bytes) {
        return Math.round(bytes / (double) (1L << 20));
    }
}
