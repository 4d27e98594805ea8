package migration.bench;

import io.channel.ChannelProviders;
import io.channel.tls.CipherSpeed;
import io.channel.spi.ChannelProvider;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Runs every configuration of a benchmark, one after the other, and collects the report: first the cold
 * one-shot path ({@link ColdRunner}, a pair of fresh tool processes per run), then the steady state (one pair
 * of worker processes, {@link WorkerProcess}, per configuration).
 */
public final class BenchRunner {

    private final BenchOptions options;
    private final PrintWriter progress;
    /** The TLS modes' credentials (steady and cold) while a run with TLS modes is under way. */
    private BenchCredentials credentials;
    /** Why the TLS modes cannot run, if their credentials could not be made. */
    private String credentialsFailure;

    /**
     * @param options  what to measure
     * @param progress where progress lines go (standard error)
     */
    public BenchRunner(BenchOptions options, PrintWriter progress) {
        this.options = options;
        this.progress = progress;
    }

    /**
     * Runs the benchmark.
     *
     * @param commandLine the command line, for the report
     * @return the report
     */
    public BenchReport run(String commandLine) {
        String date = ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        Optional<String> linuxUnavailable = linuxUnavailable();
        List<ColdResult> cold;
        List<BenchResult> results = new ArrayList<>();
        CipherSpeed cipher = null;
        if (options.modes().stream().anyMatch(Mode::tls)) {
            makeCredentials();
            cipher = measureCipher();
        }
        try {
            cold = options.cold() ? runCold() : List.of();
            measureAll(options.configurations(), linuxUnavailable, results);
        } finally {
            if (credentials != null) {
                credentials.close();
                credentials = null;
            }
        }
        return new BenchReport(date, commandLine, Machine.current(), options.size(), results, cold, cipher);
    }

    /**
     * {@return the speed of the cipher the TLS rows negotiate, or {@code null} when it cannot be measured (said on
     * the progress lines)}
     */
    private CipherSpeed measureCipher() {
        if (credentials == null) {
            return null;
        }
        try {
            String suite = BenchCredentials.parameters(credentials.directory(), WorkerSpec.Role.DESTINATION)
                    .cipherSuites().getFirst();
            CipherSpeed speed = CipherSpeedChild.measure(suite);
            progress.println("cipher: " + speed.cipherSuite() + ", " + speed.describe());
            progress.flush();
            return speed;
        } catch (IOException | RuntimeException e) {
            progress.println("cipher: not measured: " + BenchWorker.oneLine(e));
            progress.flush();
            return null;
        }
    }

    private void makeCredentials() {
        try {
            credentials = BenchCredentials.create();
        } catch (IOException | RuntimeException e) {
            credentialsFailure = "cannot make throwaway TLS credentials: " + BenchWorker.oneLine(e);
        }
    }

    private void measureAll(List<Configuration> configurations, Optional<String> linuxUnavailable,
                            List<BenchResult> results) {
        int index = 0;
        for (Configuration configuration : configurations) {
            index++;
            String prefix = "[" + index + "/" + configurations.size() + "] " + configuration.describe() + ": ";
            BenchResult result;
            if ("linux".equals(configuration.mode().provider()) && linuxUnavailable.isPresent()) {
                result = BenchResult.skipped(configuration, linuxUnavailable.get());
            } else if (configuration.mode().tls() && credentials == null) {
                result = BenchResult.skipped(configuration, credentialsFailure);
            } else {
                result = measure(configuration);
            }
            progress.println(prefix + (result.isMeasured()
                    ? String.format(Locale.ROOT, "%.2f GiB/s, CPU-s/GiB src %.3f dst %.3f", result.gibPerSecond(),
                    result.cpuPerGibSrc(), result.cpuPerGibDst())
                    : "skipped: " + result.skipped()));
            progress.flush();
            results.add(result);
        }
    }

    private List<ColdResult> runCold() {
        List<ColdResult> cold = new ArrayList<>();
        List<ColdConfiguration> configurations = options.coldConfigurations();
        try (ColdRunner runner = new ColdRunner(options.size(), options.coldDirectory())) {
            int index = 0;
            for (ColdConfiguration configuration : configurations) {
                index++;
                progress.println("[cold " + index + "/" + configurations.size() + "] " + configuration.describe()
                        + ":");
                progress.flush();
                ColdResult result = configuration.tls() && credentials == null
                        ? ColdResult.skipped(configuration, credentialsFailure)
                        : runner.measure(configuration, credentials, options.repeat(), progress);
                progress.println(result.isMeasured()
                        ? String.format(Locale.ROOT, "  median %.2f GiB/s by total-time, %.3f CPU-s/GiB both"
                        + " sides (%.3f in the migration windows)", result.gibPerSecond(), result.cpuPerGibTotal(),
                        result.cpuPerGibInWindow())
                        : "  skipped: " + result.skipped());
                progress.flush();
                cold.add(result);
            }
        }
        return cold;
    }

    /** How long the runner waits for a destination's own error after its source failed. */
    private static final long DESTINATION_ERROR_GRACE_SECONDS = 5;

    /**
     * Measures one configuration: one pair of workers, their warm-up ({@link BenchWorker#WARM_UP_PASSES}
     * unmeasured transfers, then {@link BenchWorker#WARM_UP_TAIL} short ones of the measured shape), then {@link BenchOptions#repeat()} measured transfers. A failure becomes a skipped
     * result that says why, in the destination's words when it reported an error (the source then only saw
     * the connection end).
     */
    BenchResult measure(Configuration configuration) {
        long timeout = 120 + (options.size() + options.warmUp()) / (50L << 20);
        Path tls = configuration.mode().tls() ? credentials.directory() : null;
        try (WorkerProcess destination = WorkerProcess.start(new WorkerSpec(WorkerSpec.Role.DESTINATION,
                configuration, options.size(), List.of(), options.warmUp(), tls))) {
            String[] ready = destination.await(BenchWorker.READY, timeout).split(" ");
            List<Integer> warmUpPorts = Arrays.stream(ready, 1, ready.length).map(Integer::valueOf).toList();
            try (WorkerProcess source = WorkerProcess.start(new WorkerSpec(WorkerSpec.Role.SOURCE, configuration,
                    options.size(), warmUpPorts, options.warmUp(), tls))) {
                source.await(BenchWorker.READY, timeout);
                destination.await(BenchWorker.SETTLED, timeout);
                List<SideReport> sent = new ArrayList<>();
                List<SideReport> received = new ArrayList<>();
                for (int run = 0; run < options.repeat(); run++) {
                    destination.tell(BenchWorker.PREPARE);
                    String port = destination.await(BenchWorker.LISTENING, timeout).split(" ")[1];
                    destination.tell(BenchWorker.GO);
                    source.tell(BenchWorker.GO + " " + port);
                    try {
                        sent.add(SideReport.parse(source.await("RESULT", timeout)));
                    } catch (IOException e) {
                        // A destination that failed first closed the connections: its reason is the real one.
                        Optional<String> cause = destination.error(DESTINATION_ERROR_GRACE_SECONDS);
                        if (cause.isPresent()) {
                            throw new IOException(cause.get() + " (the source then: " + e.getMessage() + ")", e);
                        }
                        throw e;
                    }
                    received.add(SideReport.parse(destination.await("RESULT", timeout)));
                }
                return BenchResult.measured(configuration, sent, received);
            }
        } catch (IOException | RuntimeException e) {
            return BenchResult.skipped(configuration, "failed: " + BenchWorker.oneLine(e));
        }
    }

    /** {@return why the Linux provider cannot be used here, if it cannot} */
    static Optional<String> linuxUnavailable() {
        Optional<ChannelProvider> linux = ChannelProviders.all().stream().filter(p -> p.name().equals("linux"))
                .findFirst();
        if (linux.isEmpty()) {
            return Optional.of("the Linux provider (module io.channel.linux) is not in this runtime");
        }
        Throwable cause = linux.get().unavailabilityCause();
        return cause == null ? Optional.empty() : Optional.of("the Linux provider is unavailable: " + cause.getMessage());
    }

    /**
     * Writes the Markdown and JSON files.
     *
     * @param report the report
     * @param output the Markdown file, or {@code null} for {@code bench-results/<timestamp>.md}
     * @return the Markdown file written
     * @throws IOException if writing fails
     */
    public static Path write(BenchReport report, Path output) throws IOException {
        return write(report.date(), report.markdown(), report.json(), output);
    }

    /**
     * Writes a report's Markdown and JSON files.
     *
     * @param date     when the run started (ISO-8601), for the default file name
     * @param markdown the Markdown document
     * @param json     the JSON document
     * @param output   the Markdown file, or {@code null} for {@code bench-results/<timestamp>.md}
     * @return the Markdown file written
     * @throws IOException if writing fails
     */
    public static Path write(String date, String markdown, String json, Path output) throws IOException {
        Path given = output != null ? output : Path.of("bench-results",
                date.replace(':', '-').replaceAll("[+].*|Z$", "") + ".md");
        Path parent = given.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        String name = given.getFileName().toString();
        String stem = name.endsWith(".md") ? name.substring(0, name.length() - 3)
                : name.endsWith(".json") ? name.substring(0, name.length() - 5) : name;
        Path markdownFile = given.resolveSibling(stem + ".md");
        Files.writeString(markdownFile, markdown);
        Files.writeString(given.resolveSibling(stem + ".json"), json);
        return markdownFile;
    }
}
