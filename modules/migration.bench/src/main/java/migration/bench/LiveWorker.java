package migration.bench;

import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import migration.LiveParameters;
import migration.LiveStats;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationSource;
import migration.MigrationStats;
import migration.RamBlock;
import migration.VerifyMode;
import migration.ZeroCopyMode;

/**
 * The source of one {@code multifd bench --live} row, in a process of its own (hidden option
 * {@code bench --live-worker …}): fills its memory, measures its tracker on it ({@link TrackerProbe}) when asked,
 * then migrates it live to the destination's port with {@link PageWriters} dirtying it at the given rate, and
 * prints one {@link LiveResult} line ({@code RESULT …}), or {@code ERROR <text>} and exits with status 1.
 */
public final class LiveWorker {

    /** The block's name, as the destination sees it. */
    static final String BLOCK = "ram0";
    /** Writer threads, as in {@code multifd demo --live}. */
    static final int WRITERS = 2;

    /**
     * What the worker does.
     *
     * @param tracker        the dirty tracker's name
     * @param size           bytes of memory
     * @param channels       multifd channels
     * @param bytesPerSecond the writers' rate; 0 for none
     * @param port           the destination's port on the loopback address
     * @param downtimeMillis the downtime limit
     * @param autoConverge   whether to throttle the writers
     * @param probe          whether to measure the tracker first
     */
    record Spec(String tracker, long size, int channels, long bytesPerSecond, int port, long downtimeMillis,
                boolean autoConverge, boolean probe) {

        /** {@return the option value: {@code key=value,…}} */
        String toArgument() {
            return "tracker=" + tracker + ",size=" + size + ",channels=" + channels + ",rate=" + bytesPerSecond
                    + ",port=" + port + ",downtime-ms=" + downtimeMillis + ",auto-converge=" + autoConverge
                    + ",probe=" + probe;
        }

        /**
         * Parses {@link #toArgument()}'s output.
         *
         * @param text the option value
         * @return the spec
         * @throws IllegalArgumentException naming the value if it is malformed
         */
        static Spec parse(String text) {
            Map<String, String> f = new LinkedHashMap<>();
            for (String part : text.split(",")) {
                String[] kv = part.split("=", 2);
                f.put(kv[0], kv.length == 2 ? kv[1] : "");
            }
            try {
                return new Spec(f.get("tracker"), Long.parseLong(f.get("size")), Integer.parseInt(f.get("channels")),
                        Long.parseLong(f.get("rate")), Integer.parseInt(f.get("port")),
                        Long.parseLong(f.get("downtime-ms")), Boolean.parseBoolean(f.get("auto-converge")),
                        Boolean.parseBoolean(f.get("probe")));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("malformed --live-worker value '" + text + "'", e);
            }
        }
    }

    private LiveWorker() {
    }

    /**
     * Runs one row's source.
     *
     * @param spec what to do
     * @param out  where the result line goes (standard output)
     * @return the exit status: 0 when it printed a result (also for a migration that failed), 1 otherwise
     */
    public static int run(String spec, PrintWriter out) {
        try (Arena arena = Arena.ofShared()) {
            out.println(migrate(Spec.parse(spec), arena));
            out.flush();
            return 0;
        } catch (Exception | OutOfMemoryError e) {
            out.println(BenchWorker.ERROR + " live source: " + BenchWorker.oneLine(e));
            out.flush();
            return 1;
        }
    }

    private static String migrate(Spec spec, Arena arena) throws Exception {
        MemorySegment memory = BenchMemory.source(spec.size(), arena);
        TrackerProbe.Cost probe = spec.probe() ? TrackerProbe.measure(memory, spec.tracker()) : null;
        // Verify final: both sides digest their final memory during the pause, so a row verifies dirty tracking
        // too, and its downtime includes what that check costs.
        MigrationParameters params = MigrationParameters.defaults().withChannels(spec.channels())
                .withZeroCopy(ZeroCopyMode.OFF).withSetupTimeout(Duration.ofSeconds(60))
                .withVerification(VerifyMode.FINAL);
        LiveParameters live = LiveParameters.defaults().withDowntimeLimit(Duration.ofMillis(spec.downtimeMillis()))
                .withAutoConverge(spec.autoConverge()).withTracker(spec.tracker());
        AtomicReference<MigrationSource> running = new AtomicReference<>();
        // The application tracker knows only what the writers report; the others find the writes themselves.
        PageWriters writers = new PageWriters(memory, spec.bytesPerSecond(), WRITERS,
                spec.tracker().equals("application") ? (offset, length) -> running.get().markDirty(BLOCK, offset,
                        length) : PageWriters.Reporter.NONE);
        InetSocketAddress destination = new InetSocketAddress(InetAddress.getLoopbackAddress(), spec.port());
        MigrationStats stats;
        String error = "";
        try (MigrationSource source = MigrationSource.startLive(destination, List.of(RamBlock.of(BLOCK, memory)),
                params, live, writers)) {
            running.set(source);
            writers.start();
            try {
                stats = source.await();
            } catch (MigrationException e) {
                if (e.stats() == null) {
                    throw e;
                }
                stats = e.stats();
                error = BenchWorker.oneLine(e);
            }
        } finally {
            writers.stopQuietly();
        }
        return LiveResult.toLine(run(stats, error, writers), probe);
    }

    /** {@return the row's figures from the source's statistics and its writers} */
    static LiveResult.Run run(MigrationStats stats, String error, PageWriters writers) {
        LiveStats live = stats.live();
        long[] syncs = live.rounds().stream().mapToLong(LiveStats.Round::syncMicros).sorted().toArray();
        long firstBandwidth = live.rounds().isEmpty() ? 0 : live.rounds().getFirst().bytesPerSecond();
        String tracker = live.trackers().isEmpty() ? "none" : live.trackers().getFirst().tracker() + " ("
                + live.trackers().getFirst().reason() + ")";
        return new LiveResult.Run(stats.status().jsonName(), error, tracker, stats.totalTimeMillis(),
                live.rounds().size(), live.downtimeMillis(), live.expectedDowntimeMillis(), live.convergence(),
                writers.maxThrottle(), firstBandwidth, syncs.length == 0 ? 0 : syncs[syncs.length / 2],
                Arrays.stream(syncs).max().orElse(0), writers.writes(), writers.cpuNanosPerWrite(),
                live.downtimePhases(), false);
    }
}
