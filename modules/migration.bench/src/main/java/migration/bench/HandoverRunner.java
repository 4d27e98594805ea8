package migration.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code multifd bench --handover}: for each size, the same-host handover ({@code multifd demo --handover}: a
 * memfd that writers dirty, handed to a second process over a Unix domain socket) beside the copying migration
 * of the same size over a Unix domain socket and over loopback TCP ({@code multifd receive --size} and
 * {@code multifd send --from} of a file of random bytes in {@code /dev/shm}, not live). Every run is fresh
 * processes of the tool, as a user runs it; the figures are the source's statistics.
 */
final class HandoverRunner {

    private static final Pattern TOTAL = Pattern.compile("\"total-time\":(\\d+)");
    private static final Pattern SETUP = Pattern.compile("\"setup-time\":(\\d+)");
    private static final Pattern DOWNTIME = Pattern.compile("\"downtime\":(\\d+)");
    private static final Pattern WRITE_PROTECT = Pattern.compile("\"write-protect-time\":(\\d+)");

    private final List<Long> sizes;
    private final int repeat;
    private final Path directory;
    private final PrintWriter progress;
    private final List<String> tool;

    /**
     * @param sizes     the sizes, in bytes
     * @param repeat    runs per size and kind
     * @param directory where the copying runs' source file goes (tmpfs where it exists)
     * @param progress  where a line per run goes
     */
    HandoverRunner(List<Long> sizes, int repeat, Path directory, PrintWriter progress) {
        this(sizes, repeat, directory, progress, ColdRunner.tool());
    }

    HandoverRunner(List<Long> sizes, int repeat, Path directory, PrintWriter progress, List<String> tool) {
        this.sizes = List.copyOf(sizes);
        this.repeat = repeat;
        this.directory = directory;
        this.progress = progress;
        this.tool = List.copyOf(tool);
    }

    /**
     * Measures every size and kind.
     *
     * @param commandLine the bench's command line, for the report
     * @return the report
     */
    HandoverReport run(String commandLine) {
        String date = ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        List<HandoverReport.Row> rows = new ArrayList<>();
        for (long size : sizes) {
            for (HandoverReport.Kind kind : HandoverReport.Kind.values()) {
                rows.add(measure(kind, size));
            }
        }
        return new HandoverReport(date, commandLine, Machine.current(), rows);
    }

    private HandoverReport.Row measure(HandoverReport.Kind kind, long size) {
        List<HandoverReport.Run> runs = new ArrayList<>();
        Path source = directory.resolve("multifd-bench-handover-source");
        try {
            if (kind != HandoverReport.Kind.HANDOVER) {
                ColdRunner.writeRandom(source, size, 15);
            }
            for (int i = 0; i < repeat; i++) {
                HandoverReport.Run run = kind == HandoverReport.Kind.HANDOVER ? handover(size) : copy(kind, size,
                        source);
                progress.println(String.format(Locale.ROOT, "  %s, %s, run %d: total-time %d ms, setup %d ms,"
                        + " downtime %s%s", kind.label(), HandoverReport.sizeText(size), i + 1, run.totalMillis(),
                        run.setupMillis(), run.downtimeMillis() < 0 ? "-" : run.downtimeMillis() + " ms",
                        kind == HandoverReport.Kind.HANDOVER ? ", write-protect " + run.writeProtectMillis() + " ms"
                                : ""));
                progress.flush();
                runs.add(run);
            }
            return new HandoverReport.Row(kind, size, runs, null);
        } catch (IOException | RuntimeException e) {
            return new HandoverReport.Row(kind, size, runs, "failed: " + BenchWorker.oneLine(e));
        } finally {
            try {
                Files.deleteIfExists(source);
            } catch (IOException e) {
                progress.println("  cannot remove " + source + ": " + e.getMessage());
            }
        }
    }

    private HandoverReport.Run handover(long size) throws IOException {
        List<String> demo = new ArrayList<>(tool);
        demo.addAll(List.of("demo", "--handover", "--size", Long.toString(size), "--json"));
        try (ToolProcess process = ToolProcess.start(demo, "multifd demo --handover")) {
            return parse(process.awaitSuccess(timeoutSeconds(size)), true);
        }
    }

    private HandoverReport.Run copy(HandoverReport.Kind kind, long size, Path source) throws IOException {
        Path socket = directory.resolve("multifd-bench-handover.sock");
        Files.deleteIfExists(socket);
        String listen = kind == HandoverReport.Kind.COPY_UNIX ? "unix:" + socket : "127.0.0.1:0";
        List<String> receive = new ArrayList<>(tool);
        receive.addAll(List.of("receive", "--listen", listen, "--size", Long.toString(size), "--json"));
        try (ToolProcess receiver = ToolProcess.start(receive, "multifd receive")) {
            String address = receiver.awaitError("listening on ", timeoutSeconds(size)).strip();
            List<String> send = new ArrayList<>(tool);
            send.addAll(List.of("send", "--to", address, "--from", source.toString(), "--json"));
            try (ToolProcess sender = ToolProcess.start(send, "multifd send")) {
                HandoverReport.Run run = parse(sender.awaitSuccess(timeoutSeconds(size)), false);
                receiver.awaitSuccess(timeoutSeconds(size));
                return run;
            }
        }
    }

    private static long timeoutSeconds(long size) {
        return 120 + size / (50L << 20);
    }

    /** {@return a run's figures from the source's JSON document} */
    static HandoverReport.Run parse(List<String> output, boolean live) throws IOException {
        String text = String.join("\n", output);
        return new HandoverReport.Run(number(TOTAL, text), number(SETUP, text), live ? number(DOWNTIME, text) : -1,
                live ? number(WRITE_PROTECT, text) : 0);
    }

    private static long number(Pattern pattern, String text) throws IOException {
        Matcher m = pattern.matcher(text);
        if (!m.find()) {
            throw new IOException("no " + pattern.pattern().replaceAll("[^a-z-]", "") + " in the tool's statistics: "
                    + text.lines().limit(3).reduce((a, b) -> a + " / " + b).orElse("(nothing)"));
        }
        return Long.parseLong(m.group(1));
    }
}
