package migration.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import migration.cli.bench.BenchArguments;
import migration.cli.bench.BenchOptions;
import migration.cli.bench.BenchReport;
import migration.cli.bench.BenchResult;
import migration.cli.bench.BenchRunner;
import migration.cli.bench.BenchWorker;
import migration.cli.bench.ColdResult;
import migration.cli.bench.WorkerSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code multifd bench}: throughput and CPU per GiB of migration against the loopback ceiling, measured in one
 * run (package {@code migration.cli.bench}).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Moves an incompressible region over loopback and measures, side by side: the cold one-shot path"
                + " (one 'multifd receive --into' and one 'multifd send --from' as fresh processes, no warm-up,"
                + " a file in --cold-dir into a file that is absent or pre-touched), then the steady state: the"
                + " ceiling (plain blocking socket streams, no protocol), migration with the copying provider,"
                + " with the Linux provider writing by copy, and with zero-copy; for each channel count, into"
                + " fresh and into pre-touched destination memory. Source and destination run as two child"
                + " processes; cold ones are measured whole (CPU and minor faults from start to exit), steady"
                + " ones over their transfer window after a warm-up. '--modes cold' measures the cold path alone.",
            "Writes bench-results/<timestamp>.md and .json (or --output) and prints the Markdown tables."})
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = "2g",
            description = "Bytes per configuration, with an optional k, m or g suffix (default: ${DEFAULT-VALUE}).")
    String size;

    @Option(names = "--channels", paramLabel = "LIST", defaultValue = "1,2,4,8",
            description = "Channel counts, also the ceiling's stream counts (default: ${DEFAULT-VALUE}).")
    String channels;

    @Option(names = "--modes", paramLabel = "LIST",
            defaultValue = "cold,ceiling,copy-provider,linux-copy,linux-zero-copy,tls-copy-provider,tls-linux-copy",
            description = "What to measure; cold is the one-shot path users take (default: ${DEFAULT-VALUE}).")
    String modes;

    @Option(names = "--cold-dir", paramLabel = "DIR",
            description = "Where the cold mode writes its source file and receives into its destination file, each"
                    + " --size bytes (default: /dev/shm, a tmpfs, where it exists).")
    Path coldDir;

    @Option(names = "--destinations", paramLabel = "LIST", defaultValue = "fresh,pre-touched",
            description = "Destination memory: fresh (never touched) and/or pre-touched (default: ${DEFAULT-VALUE}).")
    String destinations;

    @Option(names = "--huge-pages", paramLabel = "on|off", defaultValue = "off",
            description = "Ask for transparent huge pages for the destination memory (default: ${DEFAULT-VALUE}; on"
                    + " this project's VM they made first touch about 3x dearer).")
    String hugePages;

    @Option(names = "--prefault", paramLabel = "on|off", defaultValue = "on",
            description = "Migration destinations populate fresh memory ahead of the receivers with"
                    + " MADV_POPULATE_WRITE (default: ${DEFAULT-VALUE}).")
    String prefault;

    @Option(names = "--verify", paramLabel = "on|off", defaultValue = "on",
            description = "Migrations check the per-block CRC32C end to end, as by default (default: ${DEFAULT-VALUE}).")
    String verify;

    @Option(names = "--warm-up", paramLabel = "SIZE", defaultValue = "8g",
            description = "Bytes each configuration moves, unmeasured and in two transfers, before it measures, so"
                    + " that the measurement sees compiled code (C2 compiles a per-packet method after some 5,000"
                    + " packets, 2.5 GiB); 0 for none (default: ${DEFAULT-VALUE}).")
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

    @Override
    public Integer call() {
        if (worker != null) {
            WorkerSpec workerSpec;
            try {
                workerSpec = WorkerSpec.parse(worker);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
            return BenchWorker.run(workerSpec, System.out);
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
        PrintWriter out = spec.commandLine().getOut();
        PrintStream progress = System.err;
        BenchReport report = new BenchRunner(options, progress).run(commandLine());
        try {
            Path written = BenchRunner.write(report, options.output());
            progress.println("results: " + written + " (and .json)");
        } catch (java.io.IOException e) {
            spec.commandLine().getErr().println("multifd bench: cannot write the results file: " + e.getMessage());
            print(out, report, options.json());
            return 1;
        }
        print(out, report, options.json());
        return report.results().stream().anyMatch(BenchResult::isMeasured)
                || report.cold().stream().anyMatch(ColdResult::isMeasured) ? 0 : 1;
    }

    private static void print(PrintWriter out, BenchReport report, boolean json) {
        out.print(json ? report.json() : report.markdown());
        out.flush();
    }

    private String commandLine() {
        StringBuilder line = new StringBuilder("multifd");
        for (String arg : spec.commandLine().getParseResult().originalArgs()) {
            line.append(' ').append(arg.contains(" ") ? "'" + arg + "'" : arg);
        }
        return line.toString();
    }
}
