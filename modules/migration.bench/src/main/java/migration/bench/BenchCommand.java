package migration.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code multifd bench}: throughput and CPU per GiB of migration against the loopback ceiling, measured in one
 * run. Its hidden options run one worker process of a run.
 */
@Command(name = "multifd bench", mixinStandardHelpOptions = true, sortOptions = false,
        versionProvider = BenchTool.Version.class,
        description = {
            "Moves an incompressible region over loopback and measures, side by side: the cold one-shot path"
                + " (one 'multifd receive --into' and one 'multifd send --from' as fresh processes, no warm-up,"
                + " a file in --cold-dir into a file that is absent or pre-touched, the pre-touched one received"
                + " both by default and with 'receive --in-place'; tls-cold: the same with TLS on every channel"
                + " and throwaway certificates, compared with the plain rows; cold-ceiling: the same file into the"
                + " same destination file by two fresh processes (started through the tool's launcher) over plain TCP"
                + " streams with no protocol,"
                + " the cold rows' ceiling, each cold row giving its %% of it), then the steady state: the"
                + " ceiling (plain blocking socket streams, no protocol), migration with the copying provider,"
                + " with the Linux provider writing by copy, and with zero-copy; for each channel count, into"
                + " fresh and into pre-touched destination memory. Source and destination run as two child"
                + " processes; cold ones are measured whole (CPU and minor faults from start to exit), steady"
                + " ones over their transfer window after a warm-up. '--modes cold' measures the cold path alone"
                + " (no ceiling rows: they run only when cold-ceiling is named, as by default), '--modes"
                + " cold,cold-ceiling' with its ceiling, '--modes cold,tls-cold' with its TLS rows.",
            "'--live' measures live migrations instead: per dirty tracker and dirty rate, with writer threads"
                + " dirtying the source's memory while it moves, against the live targets the report states.",
            "Writes bench-results/<timestamp>.md and .json (or --output) and prints the Markdown tables."})
final class BenchCommand implements Callable<Integer> {

    /** Standard output: the report, or a worker's protocol lines. */
    private final PrintWriter out;
    /** Standard error: progress. */
    private final PrintWriter err;

    @Spec
    CommandSpec spec;

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = "2g",
            description = "Bytes per configuration, with an optional k, m or g suffix (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--channels", paramLabel = "LIST", defaultValue = "1,2,4,8",
            description = "Channel counts, also the ceiling's stream counts (default: ${DEFAULT-VALUE}).")
    String channels;

    @Option(names = "--modes", paramLabel = "LIST",
            defaultValue = "cold,cold-ceiling,tls-cold,ceiling,copy-provider,linux-copy,linux-zero-copy,"
                    + "tls-copy-provider,tls-linux-copy",
            description = "What to measure; cold is the one-shot path users take, cold-ceiling its ceiling (plain"
                    + " TCP streams, no protocol, between fresh processes), tls-cold the same under TLS"
                    + " (default: ${DEFAULT-VALUE}).")
    String modes;

    @Option(names = "--cold-dir", paramLabel = "DIR",
            description = "Where the cold modes write their source file and receive into their destination file, each"
                    + " --size bytes (default: /dev/shm, a tmpfs, where it exists).")
    Path coldDir;

    @Option(names = "--destinations", paramLabel = "LIST", defaultValue = "fresh,pre-touched",
            description = "Destination memory: fresh (never touched) and/or pre-touched (default: ${DEFAULT-VALUE}).")
    String destinations;

    @Option(names = "--huge-pages", paramLabel = "on|off", defaultValue = "off",
            description = "Ask for transparent huge pages for the destination memory (default: ${DEFAULT-VALUE};"
                    + " first touch of fresh huge pages costs the receivers more CPU).")
    String hugePages;

    @Option(names = "--prefault", paramLabel = "on|off", defaultValue = "on",
            description = "Migration destinations populate fresh memory ahead of the receivers with"
                    + " MADV_POPULATE_WRITE (default: ${DEFAULT-VALUE}; off sets the library's"
                    + " migration.destination.prefault=false in the destination's process).")
    String prefault;

    @Option(names = "--verify", paramLabel = "on|off", defaultValue = "on",
            description = "Migrations check the per-block CRC32C end to end, as by default (default: ${DEFAULT-VALUE}).")
    String verify;

    @Option(names = "--warm-up", paramLabel = "SIZE", defaultValue = "8g",
            description = "Bytes each configuration moves, unmeasured and in two transfers, before it measures, so"
                    + " that the measurement sees compiled code (C2 compiles a per-packet method after some 5,000"
                    + " packets, 2.5 GiB), then up to 128 short transfers of the measured shape (at most a sixteenth"
                    + " of it more), so that each transfer's handshakes, start and end are compiled too; 0 for none"
                    + " (default: ${DEFAULT-VALUE}).")
    String warmUp;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "3",
            description = "Measured transfers per configuration, after its warm-up; the table gives their medians"
                    + " and the range of GiB/s (default: ${DEFAULT-VALUE}).")
    String repeat;

    @Option(names = "--json", description = "Print one JSON document instead of the Markdown table.")
    boolean json;

    @Option(names = "--output", paramLabel = "FILE",
            description = "The Markdown results file; the JSON goes next to it as .json"
                    + " (default: bench-results/<timestamp>.md).")
    Path output;

    @Option(names = "--worker", hidden = true, paramLabel = "SPEC",
            description = "Internal: run one side of one configuration.")
    String worker;

    @Option(names = "--live", description = "Measure live migrations instead (the same as '--modes live'): for each"
            + " dirty tracker and dirty rate, one migration of --size from a fresh source process whose writer"
            + " threads dirty random pages, with rounds, downtime, expected downtime, the tracker's sync time,"
            + " convergence and throttling, and what a write cost while tracked; each tracker is also measured on"
            + " its own (sync time, first write after a sync against an untracked write). Uses --size, --channels"
            + " (default " + LiveOptions.DEFAULT_CHANNELS + " here), --output and --json.")
    boolean live;

    @Option(names = "--dirty-rates", paramLabel = "LIST", defaultValue = LiveOptions.DEFAULT_RATES,
            description = "With --live: the writers' rates, bytes per second or a percentage of the migration"
                    + " bandwidth, which a row at rate 0 measures first (default: ${DEFAULT-VALUE}).")
    String dirtyRates;

    @Option(names = "--trackers", paramLabel = "LIST", defaultValue = LiveOptions.DEFAULT_TRACKERS,
            description = "With --live: the dirty trackers (default: ${DEFAULT-VALUE}).")
    String trackers;

    @Option(names = "--downtime-limit", paramLabel = "MS", defaultValue = "300",
            description = "With --live: switch over once the expected downtime is at most this many milliseconds"
                    + " (default: ${DEFAULT-VALUE}, QEMU's downtime-limit).")
    long downtimeLimit;

    @Option(names = "--auto-converge", paramLabel = "on|off", defaultValue = "on",
            description = "With --live: throttle the writers when they outpace the migration (default:"
                    + " ${DEFAULT-VALUE}).")
    String autoConverge;

    @Option(names = "--handover", description = "Measure same-host handover instead: for each of --sizes, 'multifd"
            + " demo --handover' (a memfd handed to a second process over a Unix domain socket, live, writers"
            + " running) beside the copying migration of the same size over a Unix domain socket and over loopback"
            + " TCP ('receive --size' and 'send' of a tmpfs file), --repeat runs each, fresh processes of the tool.")
    boolean handover;

    @Option(names = "--sizes", paramLabel = "LIST", defaultValue = "1g,2g,8g",
            description = "With --handover: the sizes to measure (default: ${DEFAULT-VALUE}); a copying run of a size"
                    + " holds it twice in memory (the source file and the destination).")
    String sizes;

    @Option(names = "--live-worker", hidden = true, paramLabel = "SPEC",
            description = "Internal: run the source of one live row.")
    String liveWorker;

    /**
     * @param out standard output: the report, or a worker's protocol lines
     * @param err standard error: progress
     */
    BenchCommand(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        if (worker != null) {
            WorkerSpec workerSpec;
            try {
                workerSpec = WorkerSpec.parse(worker);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            return BenchWorker.run(workerSpec, out);
        }
        if (liveWorker != null) {
            return LiveWorker.run(liveWorker, out);
        }
        if (live || asksForLive()) {
            return live();
        }
        if (handover) {
            return handover();
        }
        BenchOptions options;
        try {
            options = new BenchOptions(BenchArguments.parseSize(size), BenchArguments.parseChannels(channels),
                    BenchArguments.parseModes(modes), BenchArguments.parseDestinations(destinations),
                    BenchArguments.parseSwitch("--huge-pages", hugePages),
                    BenchArguments.parseSwitch("--prefault", prefault),
                    BenchArguments.parseSwitch("--verify", verify), BenchArguments.parseWarmUp(warmUp),
                    BenchArguments.parseRepeat(repeat), json, output,
                    coldDir);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        BenchReport report = new BenchRunner(options, err).run(commandLine());
        return finish(report.date(), report.markdown(), report.json(), options.output(), options.json(),
                report.results().stream().anyMatch(BenchResult::isMeasured)
                        || report.cold().stream().anyMatch(ColdResult::isMeasured));
    }

    /** {@return whether {@code --modes} names the live mode; a malformed list is reported by the usual path} */
    private boolean asksForLive() {
        try {
            return BenchArguments.parseModes(modes).contains(Mode.LIVE);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** {@code --live} (or {@code --modes live}): the live migrations, on their own. */
    private int live() {
        LiveOptions options;
        try {
            if (spec.commandLine().getParseResult().hasMatchedOption("--modes")
                    && !BenchArguments.parseModes(modes).equals(List.of(Mode.LIVE))) {
                throw new IllegalArgumentException("live migrations are measured on their own: use --live (or"
                        + " --modes live) without other modes");
            }
            List<Integer> liveChannels = spec.commandLine().getParseResult().hasMatchedOption("--channels")
                    ? BenchArguments.parseChannels(channels) : List.of(LiveOptions.DEFAULT_CHANNELS);
            options = new LiveOptions(BenchArguments.parseSize(size), liveChannels,
                    BenchArguments.parseTrackers(trackers), BenchArguments.parseDirtyRates(dirtyRates),
                    downtimeLimit, BenchArguments.parseSwitch("--auto-converge", autoConverge), json, output);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        LiveReport report = new LiveRunner(options, err).run(commandLine());
        return finish(report.date(), report.markdown(), report.json(), options.output(), options.json(),
                report.anyMeasured());
    }

    /** {@code --handover}: the handover against copying, on its own. */
    private int handover() {
        List<Long> sizeList;
        int runs;
        try {
            sizeList = java.util.Arrays.stream(sizes.split(",")).map(String::strip).map(BenchArguments::parseSize)
                    .toList();
            runs = BenchArguments.parseRepeat(repeat);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "invalid --sizes or --repeat: " + e.getMessage(), e);
        }
        HandoverReport report = new HandoverRunner(sizeList, runs, coldDir != null ? coldDir
                : ColdRunner.defaultDirectory(), err).run(commandLine());
        return finish(report.date(), report.markdown(), report.json(), output, json, report.anyMeasured());
    }

    /**
     * Writes the results files, prints the report and gives the exit status: 1 if the files could not be
     * written or nothing was measured.
     */
    private int finish(String date, String markdown, String json, Path output, boolean asJson, boolean measured) {
        int status = measured ? 0 : BenchTool.FAILED;
        try {
            Path written = BenchRunner.write(date, markdown, json, output);
            err.println("results: " + written + " (and .json)");
        } catch (IOException e) {
            err.println("multifd bench: cannot write the results file: " + e.getMessage());
            status = BenchTool.FAILED;
        }
        err.flush();
        out.print(asJson ? json : markdown);
        out.flush();
        return status;
    }

    private String commandLine() {
        StringBuilder line = new StringBuilder("multifd bench");
        for (String arg : spec.commandLine().getParseResult().originalArgs()) {
            line.append(' ').append(arg.contains(" ") ? "'" + arg + "'" : arg);
        }
        return line.toString();
    }
}
