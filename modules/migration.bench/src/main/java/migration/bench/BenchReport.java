package migration.bench;

import io.channel.tls.CipherSpeed;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import migration.json.Json;

/**
 * The results of one run and what they say: the Markdown table, the JSON document and the verdict on the
 * target (the best migration reaches at least {@value #TARGET_PERCENT}% of the ceiling's throughput, with at
 * most {@value #TARGET_CPU_RATIO} times its CPU per GiB, into fresh and into pre-touched memory).
 *
 * @param date        when the run started (ISO-8601)
 * @param commandLine the command line of the run
 * @param machine     the machine
 * @param size        bytes per configuration
 * @param results     one per steady-state configuration, in the order run
 * @param cold        one per cold one-shot configuration, in the order run
 * @param cipher      what bounds the TLS rows: the speed of the cipher they negotiate, measured in a JVM as the
 *                    workers run; {@code null} when the run has no TLS rows or could not measure it
 */
public record BenchReport(String date, String commandLine, Machine machine, long size, List<BenchResult> results,
                          List<ColdResult> cold, CipherSpeed cipher) {

    /** The throughput target, in percent of the ceiling. */
    public static final double TARGET_PERCENT = 80;
    /** The CPU target: total CPU per GiB at most this multiple of the ceiling's. */
    public static final double TARGET_CPU_RATIO = 1.3;
    /** The steady-state TLS target, in percent of the same migration's throughput without TLS in the same run. */
    public static final double TLS_TARGET_PERCENT = 55;
    /**
     * The steady-state TLS CPU target: the CPU seconds per GiB, both sides together, that TLS may add to the same
     * migration without TLS in the same run.
     */
    public static final double TLS_ADDED_CPU_TARGET = 0.6;
    /** The cold TLS target into an existing file written in place ({@code --in-place}), in GiB/s. */
    public static final double COLD_TLS_IN_PLACE_TARGET = 1.0;
    /** The cold TLS target into a new file (an absent one, or receive's temporary file over an existing one). */
    public static final double COLD_TLS_NEW_FILE_TARGET = 0.7;

    private static final String TLS_NOTE = "TLS rows: TLS 1.3 on the main channel and every multifd channel, mutual"
            + " authentication with throwaway certificates made for the run, the JDK's own TLS (JSSE); each is"
            + " compared with the row of the same provider, channels and destination without TLS.";

    private static final String COLD_TLS_NOTE = "tls-cold rows: the same cold runs with TLS 1.3 on the main channel"
            + " and every multifd channel, both processes given throwaway certificates made for the run (--tls-ca,"
            + " --tls-cert, --tls-key: mutual authentication, the sender checking the name 127.0.0.1); each is"
            + " compared with the cold row of the same channels and destination file without TLS, by GiB/s and by"
            + " both whole processes' CPU per GiB (the JSON's cold-tls also gives the migration windows' ratio).";

    private static final String CPU_NOTE = "CPU is each process's user+system time over its transfer window."
            + " On loopback the receive path (softirq, including the copy into the receiver's socket buffer) runs"
            + " in whichever task is on the CPU, mostly the sender, so the split between the sides is approximate;"
            + " their sum is not. JIT ms is the time the JIT compilers spent within each window (included in the"
            + " CPU figures); the warm-up exists to keep it near zero.";

    private static final double GIB = 1L << 30;

    private static final String COLD_NOTE = "Cold: each run starts one `multifd receive --listen 127.0.0.1:0"
            + " --into FILE --json` and, once it listens, one `multifd send --from FILE --channels N --json`, both"
            + " fresh processes of the tool with its defaults and no warm-up, into an absent file (fresh) or over an"
            + " existing one whose every page was written (pre-touched), there both with receive's default (a"
            + " temporary file renamed onto the existing one once the digests are verified: new pages) and with"
            + " --in-place (the existing file's own pages written where they are; not atomic). GiB/s is by the"
            + " sender's own"
            + " total-time (migration start to the destination's verdict); send process is the sending process's"
            + " life, start-up and exit included. CPU and minor faults are each whole process's, start-up"
            + " included (the receiver's from before it listened), from /proc via the shell that waited for it."
            + " Window CPU is each process's CPU inside the migration window, the figure comparable with QEMU's CPU"
            + " in its migration window: the sender's total-time (from just before it starts the migration until"
            + " the verdict), placed by when the sender printed its document, for both processes; the bench reads it"
            + " off each process's /proc/PID/stat, sampled every clock tick while it runs. Before-window CPU is the"
            + " same process's CPU until the window opened (JVM start-up, and for the receiver listening and"
            + " waiting)."
            + " The receiver writes an --into file with pwrite from a staging buffer, not through a mapping, so"
            + " its minor faults are its own memory's, not one per page of the file.";

    private static final String COLD_CEILING_NOTE = "cold-ceiling rows: the cold rows' twin without multifd's"
            + " protocol. Two fresh processes, started through the tool's launcher as the cold rows' are (same JVM"
            + " options and AOT cache; the bench's own multifd bench cold-ceiling), move the same file into the same"
            + " destination file over N plain"
            + " blocking TCP streams on loopback: the sender maps the source read-only and writes stream i's"
            + " contiguous share in 512 KiB writes; the receiver reads each stream into a 256 KiB buffer and writes"
            + " it at its offset (pwrite) into a new temporary file renamed onto the destination at the end, or with"
            + " --in-place into the existing file itself, and answers each stream one byte once its share is"
            + " written. No packets, no digests, no zero-page check. GiB/s is by the sender's time from just"
            + " before its first connect until every answer, and window CPU is both processes' CPU in that time,"
            + " measured as for the cold rows. % of cold ceiling and CPU × cold"
            + " ceiling compare each cold and tls-cold row with the cold-ceiling row of the same channels and"
            + " destination file: GiB/s, and both whole processes' CPU per GiB (the JSON also gives the migration"
            + " windows' ratio).";

    /** Copies the lists. */
    public BenchReport {
        results = List.copyOf(results);
        cold = List.copyOf(cold);
    }

    /**
     * A report with no cold one-shot results and no cipher speed.
     *
     * @param date        when the run started
     * @param commandLine the command line
     * @param machine     the machine
     * @param size        bytes per configuration
     * @param results     the steady-state results
     */
    public BenchReport(String date, String commandLine, Machine machine, long size, List<BenchResult> results) {
        this(date, commandLine, machine, size, results, List.of());
    }

    /**
     * A report with no cipher speed.
     *
     * @param date        when the run started
     * @param commandLine the command line
     * @param machine     the machine
     * @param size        bytes per configuration
     * @param results     the steady-state results
     * @param cold        the cold one-shot results
     */
    public BenchReport(String date, String commandLine, Machine machine, long size, List<BenchResult> results,
                       List<ColdResult> cold) {
        this(date, commandLine, machine, size, results, cold, null);
    }

    /**
     * The verdict for one kind of destination memory.
     *
     * @param destination the kind
     * @param ceiling     the best ceiling measured into it
     * @param best        the fastest migration into it
     */
    public record Verdict(DestinationKind destination, BenchResult ceiling, BenchResult best) {

        /** {@return the best migration's throughput in percent of the ceiling's} */
        public double percent() {
            return best.percentOf(ceiling);
        }

        /** {@return the best migration's total CPU per GiB as a multiple of the ceiling's} */
        public double cpuRatio() {
            return best.cpuRatioTo(ceiling);
        }

        /** {@return whether both targets are met} */
        public boolean met() {
            return percent() >= TARGET_PERCENT && cpuRatio() <= TARGET_CPU_RATIO;
        }

        /** {@return one line in plain words} */
        public String describe() {
            return String.format(Locale.ROOT, "%s: best migration %s reaches %.0f%% of the ceiling (%s, %.2f GiB/s)"
                            + " with %.2f× its CPU per GiB (%.3f vs %.3f CPU-s/GiB): target %s",
                    destination.label(), best.configuration().describe(), percent(), ceiling.configuration().describe(),
                    ceiling.gibPerSecond(), cpuRatio(), best.cpuPerGibTotal(), ceiling.cpuPerGibTotal(),
                    met() ? "met" : "NOT met");
        }
    }

    /**
     * {@return the ceiling a result is compared with: the fastest ceiling into the same kind of memory with
     * the same huge-page setting}
     * @param result a result
     */
    public Optional<BenchResult> ceilingFor(BenchResult result) {
        Configuration c = result.configuration();
        return results.stream()
                .filter(r -> r.isMeasured() && r.configuration().mode() == Mode.CEILING
                        && r.configuration().destination() == c.destination()
                        && r.configuration().hugePages() == c.hugePages())
                .max(Comparator.comparingDouble(BenchResult::gibPerSecond));
    }

    /**
     * A TLS row against the same configuration without TLS: a steady-state migration ({@link BenchResult}) or a
     * cold one-shot run ({@link ColdResult}), both measured. A steady-state row meets its target at
     * {@value #TLS_TARGET_PERCENT}% of the plain row's throughput with at most {@value #TLS_ADDED_CPU_TARGET} CPU-s/GiB
     * more; a cold row at {@value #COLD_TLS_IN_PLACE_TARGET} GiB/s in place and {@value #COLD_TLS_NEW_FILE_TARGET}
     * GiB/s into a new file.
     *
     * @param tls   the TLS row
     * @param plain the row of the same provider, channels and destination without TLS
     * @param <R>   the kind of row
     */
    public record TlsComparison<R extends MeasuredRow>(R tls, R plain) {

        /** {@return the TLS row's throughput in percent of the plain row's} */
        public double percent() {
            return 100 * tls.gibPerSecond() / plain.gibPerSecond();
        }

        /** {@return the TLS row's total CPU per GiB as a multiple of the plain row's} */
        public double cpuRatio() {
            return tls.cpuPerGibTotal() / plain.cpuPerGibTotal();
        }

        /** {@return the CPU seconds per GiB, both sides together, that TLS adds to the plain row} */
        public double addedCpu() {
            return tls.cpuPerGibTotal() - plain.cpuPerGibTotal();
        }

        /** {@return whether the TLS row meets its target (see the type's description)} */
        public boolean met() {
            if (tls instanceof ColdResult cold) {
                return cold.gibPerSecond() >= coldTarget(cold.configuration());
            }
            return percent() >= TLS_TARGET_PERCENT && addedCpu() <= TLS_ADDED_CPU_TARGET;
        }

        /** {@return the target in words} */
        public String target() {
            return tls instanceof ColdResult cold
                    ? String.format(Locale.ROOT, "≥ %.1f GiB/s", coldTarget(cold.configuration()))
                    : String.format(Locale.ROOT, "≥ %.0f%%, adds ≤ %.2f", TLS_TARGET_PERCENT, TLS_ADDED_CPU_TARGET);
        }

        private static double coldTarget(ColdConfiguration configuration) {
            return configuration.inPlace() ? COLD_TLS_IN_PLACE_TARGET : COLD_TLS_NEW_FILE_TARGET;
        }

        /** {@return one line in plain words} */
        public String describe() {
            return String.format(Locale.ROOT, "%s: %.2f GiB/s, %.0f%% of %s (%.2f GiB/s), %.3f CPU-s/GiB both sides,"
                            + " TLS adds %.3f (%.2f× plain's %.3f): target (%s) %s",
                    tls.configuration().describe(), tls.gibPerSecond(), percent(), plain.configuration().mode().label(),
                    plain.gibPerSecond(), tls.cpuPerGibTotal(), addedCpu(), cpuRatio(), plain.cpuPerGibTotal(),
                    target(), met() ? "met" : "NOT met");
        }
    }

    /** {@return each measured steady-state TLS row with its measured plain twin, in the order run} */
    public List<TlsComparison<BenchResult>> tlsComparisons() {
        List<TlsComparison<BenchResult>> comparisons = new ArrayList<>();
        for (BenchResult tls : results) {
            Configuration c = tls.configuration();
            if (!tls.isMeasured() || !c.mode().tls()) {
                continue;
            }
            Configuration plain = new Configuration(c.mode().withoutTls(), c.channels(), c.destination(),
                    c.hugePages(), c.prefault(), c.verify());
            results.stream().filter(r -> r.isMeasured() && r.configuration().equals(plain)).findFirst()
                    .ifPresent(r -> comparisons.add(new TlsComparison<>(tls, r)));
        }
        return comparisons;
    }

    /**
     * {@return the cold ceiling a cold or tls-cold row is compared with: the measured cold-ceiling row of the same
     * channels and destination file ({@code --in-place} included); none for a cold-ceiling row}
     * @param result a cold row
     */
    public Optional<ColdResult> coldCeilingFor(ColdResult result) {
        ColdConfiguration c = result.configuration();
        if (c.mode() == Mode.COLD_CEILING) {
            return Optional.empty();
        }
        ColdConfiguration ceiling = new ColdConfiguration(Mode.COLD_CEILING, c.channels(), c.destination(),
                c.inPlace());
        return cold.stream().filter(r -> r.isMeasured() && r.configuration().equals(ceiling)).findFirst();
    }

    /** {@return each measured cold TLS row with its measured plain twin, in the order run} */
    public List<TlsComparison<ColdResult>> coldTlsComparisons() {
        List<TlsComparison<ColdResult>> comparisons = new ArrayList<>();
        for (ColdResult tls : cold) {
            if (!tls.isMeasured() || !tls.configuration().tls()) {
                continue;
            }
            ColdConfiguration plain = tls.configuration().withoutTls();
            cold.stream().filter(r -> r.isMeasured() && r.configuration().equals(plain)).findFirst()
                    .ifPresent(r -> comparisons.add(new TlsComparison<>(tls, r)));
        }
        return comparisons;
    }

    /**
     * {@return the verdict for each kind of destination memory that has a ceiling and a plain migration} TLS
     * rows have their own target ({@link #tlsComparisons()}).
     */
    public List<Verdict> verdicts() {
        List<Verdict> verdicts = new ArrayList<>();
        for (DestinationKind kind : DestinationKind.values()) {
            results.stream()
                    .filter(r -> r.isMeasured() && r.configuration().mode() != Mode.CEILING
                            && !r.configuration().mode().tls()
                            && r.configuration().destination() == kind && ceilingFor(r).isPresent())
                    .max(Comparator.comparingDouble(BenchResult::gibPerSecond))
                    .ifPresent(best -> verdicts.add(new Verdict(kind, ceilingFor(best).orElseThrow(), best)));
        }
        return verdicts;
    }

    /** {@return the results as a Markdown table, one row per configuration} */
    public String markdownTable() {
        StringBuilder out = new StringBuilder();
        out.append("| mode | channels | destination | GiB/s | % of ceiling | CPU-s/GiB src | CPU-s/GiB dst | JIT ms src/dst"
                + " | zero-copy |\n");
        out.append("|---|---:|---|---:|---:|---:|---:|---:|---|\n");
        for (BenchResult r : results) {
            Configuration c = r.configuration();
            String destination = c.destination().label() + (c.hugePages() ? ", THP" : "")
                    + (c.prefaults() ? ", prefault" : "")
                    + (c.verify() || c.mode() == Mode.CEILING ? "" : ", no verify");
            out.append("| ").append(c.mode().label()).append(" | ").append(c.channels()).append(" | ")
                    .append(destination).append(" | ");
            if (!r.isMeasured()) {
                skipped(out, r.skipped(), 6);
                continue;
            }
            double percent = r.percentOf(ceilingFor(r).orElse(null));
            rate(out, r.gibPerSecond(), r.runs().size(), r.gibPerSecondRange());
            out.append(" | ")
                    .append(Double.isNaN(percent) ? "—" : format(percent, 0) + "%").append(" | ")
                    .append(format(r.cpuPerGibSrc(), 3)).append(" | ")
                    .append(format(r.cpuPerGibDst(), 3)).append(" | ")
                    .append(r.jitMillisSrc()).append(" / ").append(r.jitMillisDst()).append(" | ")
                    .append(zeroCopy(r)).append(" |\n");
        }
        return out.toString();
    }

    /** Appends why a row was not measured and the empty cells after it. */
    private static void skipped(StringBuilder out, String why, int emptyCells) {
        out.append("skipped: ").append(why.replace('|', '/').replace('\n', ' ')).append(" |")
                .append(" |".repeat(emptyCells - 1)).append('\n');
    }

    /** Appends the median GiB/s and, for more than one run, the slowest and fastest run's in brackets. */
    private static void rate(StringBuilder out, double gibPerSecond, int runs, double[] range) {
        out.append(format(gibPerSecond, 2));
        if (runs > 1) {
            out.append(" (").append(format(range[0], 2)).append("–").append(format(range[1], 2)).append(')');
        }
    }

    /** {@return the cold one-shot results as a Markdown table, one row per configuration} */
    public String coldTable() {
        StringBuilder out = new StringBuilder();
        out.append("| mode | channels | destination file | GiB/s | % of cold ceiling | CPU × cold ceiling"
                + " | total-time s | send process s | CPU-s src | CPU-s dst | CPU-s/GiB both | window CPU-s src | window CPU-s dst | window CPU-s/GiB both"
                + " | before-window CPU-s src | before-window CPU-s dst | minor faults src | minor faults dst |\n");
        out.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (ColdResult r : cold) {
            ColdConfiguration c = r.configuration();
            out.append("| ").append(c.mode().label()).append(" | ").append(c.channels()).append(" | ")
                    .append(c.destinationLabel()).append(" | ");
            if (!r.isMeasured()) {
                skipped(out, r.skipped(), 15);
                continue;
            }
            rate(out, r.gibPerSecond(), r.runs().size(), r.gibPerSecondRange());
            ColdResult ceiling = coldCeilingFor(r).orElse(null);
            double percent = r.percentOf(ceiling);
            double cpuRatio = r.cpuRatioTo(ceiling);
            out.append(" | ").append(Double.isNaN(percent) ? "—" : format(percent, 0) + "%")
                    .append(" | ").append(Double.isNaN(cpuRatio) ? "—" : format(cpuRatio, 2) + "×")
                    .append(" | ").append(format(r.median(ColdResult.Run::totalSeconds), 3))
                    .append(" | ").append(format(r.median(ColdResult.Run::wallSeconds), 3))
                    .append(" | ").append(format(r.median(ColdResult.Run::cpuSecondsSrc), 2))
                    .append(" | ").append(format(r.median(ColdResult.Run::cpuSecondsDst), 2))
                    .append(" | ").append(format(r.cpuPerGibTotal(), 3))
                    .append(" | ").append(format(r.median(run -> run.window().migrationSrc()), 2))
                    .append(" | ").append(format(r.median(run -> run.window().migrationDst()), 2))
                    .append(" | ").append(format(r.cpuPerGibInWindow(), 3))
                    .append(" | ").append(format(r.median(run -> run.window().startUpSrc()), 2))
                    .append(" | ").append(format(r.median(run -> run.window().startUpDst()), 2))
                    .append(" | ").append(format(r.median(ColdResult.Run::faultsSrc), 0))
                    .append(" | ").append(format(r.median(ColdResult.Run::faultsDst), 0)).append(" |\n");
        }
        return out.toString();
    }

    /** {@return the whole Markdown document: header, tables, verdict and notes} */
    public String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("# multifd bench, ").append(date).append("\n\n");
        out.append("- command: `").append(commandLine).append("`\n");
        out.append("- machine: ").append(machine.describe()).append('\n');
        out.append("- size: ").append(size).append(" bytes (").append(format(size / (double) (1L << 30), 3))
                .append(" GiB) of incompressible data per configuration, over loopback\n");
        if (cipher != null) {
            out.append("- cipher of the TLS rows: ").append(cipher.cipherSuite()).append(", ")
                    .append(cipher.describe()).append(" (measured in a JVM started as the steady-state workers are,"
                            + " after ").append(cipher.warmUp().toMillis()).append(" ms of warm-up)\n");
        }
        int runs = results.stream().mapToInt(r -> r.runs().size()).max().orElse(0);
        if (runs > 1) {
            out.append("- runs: each configuration measured ").append(runs).append(" times after its warm-up;"
                    + " the figures are medians, the GiB/s range (slowest–fastest run) in brackets\n");
        }
        int coldRuns = cold.stream().mapToInt(r -> r.runs().size()).max().orElse(0);
        if (coldRuns > 1) {
            out.append("- cold runs: each configuration run ").append(coldRuns).append(" times, cold every time;"
                    + " medians, the GiB/s range in brackets\n");
        }
        if (!cold.isEmpty()) {
            out.append("\n## Cold one-shot: `multifd receive --into` and `multifd send --from`, fresh processes\n\n");
            out.append(coldTable()).append('\n');
            comparisonLines(out, "TLS against the same cold run without TLS", coldTlsComparisons());
            out.append(COLD_NOTE).append('\n');
            if (cold.stream().anyMatch(r -> r.configuration().mode() == Mode.COLD_CEILING)) {
                out.append('\n').append(COLD_CEILING_NOTE).append('\n');
            }
            if (cold.stream().anyMatch(r -> r.configuration().tls())) {
                out.append('\n').append(COLD_TLS_NOTE).append('\n');
            }
        }
        if (!results.isEmpty()) {
            if (!cold.isEmpty()) {
                out.append("\n## Steady state: after the warm-up\n");
            }
            out.append('\n');
            out.append(markdownTable()).append('\n');
            for (Verdict verdict : verdicts()) {
                out.append("- ").append(verdict.describe()).append('\n');
            }
            out.append('\n');
            comparisonLines(out, "TLS against the same migration without TLS", tlsComparisons());
            out.append(CPU_NOTE).append('\n');
            if (results.stream().anyMatch(r -> r.configuration().mode().tls())) {
                out.append('\n').append(TLS_NOTE).append('\n');
            }
        }
        return out.toString();
    }

    /** Appends a heading and one line per comparison, then an empty line; nothing if there are none. */
    private static void comparisonLines(StringBuilder out, String heading, List<? extends TlsComparison<?>> list) {
        if (list.isEmpty()) {
            return;
        }
        out.append(heading).append(":\n\n");
        for (TlsComparison<?> comparison : list) {
            out.append("- ").append(comparison.describe()).append('\n');
        }
        out.append('\n');
    }

    /** {@return the JSON document: one object per configuration in {@code results}} */
    public String json() {
        List<Map<String, Object>> resultsJson = new ArrayList<>();
        for (BenchResult r : results) {
            Configuration c = r.configuration();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("mode", c.mode().label());
            row.put("channels", c.channels());
            row.put("destination", c.destination().label());
            row.put("huge-pages", c.hugePages());
            row.put("prefault", c.prefaults());
            row.put("verify", c.verify() && c.mode() != Mode.CEILING);
            if (r.isMeasured()) {
                row.put("bytes", r.bytes());
                row.put("seconds", rounded(r.seconds()));
                row.put("gib-per-s", rounded(r.gibPerSecond()));
                row.put("percent-of-ceiling", rounded(r.percentOf(ceilingFor(r).orElse(null))));
                row.put("cpu-s-per-gib-src", rounded(r.cpuPerGibSrc()));
                row.put("cpu-s-per-gib-dst", rounded(r.cpuPerGibDst()));
                row.put("jit-ms-src", r.jitMillisSrc());
                row.put("jit-ms-dst", r.jitMillisDst());
                List<Map<String, Object>> runs = new ArrayList<>();
                for (BenchResult.Run run : r.runs()) {
                    Map<String, Object> runJson = new LinkedHashMap<>();
                    runJson.put("seconds", rounded(run.seconds()));
                    runJson.put("gib-per-s", rounded(run.seconds() > 0 ? r.bytes() / GIB / run.seconds() : 0));
                    runJson.put("cpu-s-per-gib-src", rounded(run.cpuSecondsSrc() / (r.bytes() / GIB)));
                    runJson.put("cpu-s-per-gib-dst", rounded(run.cpuSecondsDst() / (r.bytes() / GIB)));
                    runs.add(runJson);
                }
                row.put("runs", runs);
                if (c.mode().zeroCopy()) {
                    row.put("zero-copy-sends", r.zeroCopySends());
                    row.put("zero-copy-copied", r.zeroCopyCopied());
                }
            } else {
                row.put("skipped", r.skipped());
            }
            resultsJson.add(row);
        }
        List<Map<String, Object>> verdictsJson = new ArrayList<>();
        for (Verdict v : verdicts()) {
            Map<String, Object> verdict = new LinkedHashMap<>();
            verdict.put("destination", v.destination().label());
            verdict.put("best-mode", v.best().configuration().mode().label());
            verdict.put("best-channels", v.best().configuration().channels());
            verdict.put("percent-of-ceiling", rounded(v.percent()));
            verdict.put("cpu-ratio", rounded(v.cpuRatio()));
            verdict.put("met", v.met());
            verdictsJson.add(verdict);
        }
        List<Map<String, Object>> tlsJson = new ArrayList<>();
        for (TlsComparison<BenchResult> t : tlsComparisons()) {
            tlsJson.add(comparisonJson(t));
        }
        List<Map<String, Object>> coldTlsJson = new ArrayList<>();
        for (TlsComparison<ColdResult> t : coldTlsComparisons()) {
            Map<String, Object> comparison = comparisonJson(t);
            comparison.put("in-place", t.tls().configuration().inPlace());
            comparison.put("window-cpu-s-per-gib-total", rounded(t.tls().cpuPerGibInWindow()));
            comparison.put("plain-window-cpu-s-per-gib-total", rounded(t.plain().cpuPerGibInWindow()));
            comparison.put("window-cpu-ratio", rounded(t.tls().cpuPerGibInWindow() / t.plain().cpuPerGibInWindow()));
            coldTlsJson.add(comparison);
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("date", date);
        document.put("command", commandLine);
        document.put("machine", machine.json());
        document.put("size", size);
        if (cipher != null) {
            document.put("cipher-speed", cipher.jsonMembers());
        }
        document.put("cold", coldJson());
        document.put("cold-tls", coldTlsJson);
        document.put("cold-note", COLD_NOTE);
        document.put("cold-ceiling-note", COLD_CEILING_NOTE);
        document.put("results", resultsJson);
        document.put("verdicts", verdictsJson);
        document.put("tls", tlsJson);
        document.put("note", CPU_NOTE);
        return Json.write(document) + "\n";
    }

    /** {@return a TLS comparison's figures, in the order of its line} */
    private static Map<String, Object> comparisonJson(TlsComparison<?> t) {
        RowConfiguration c = t.tls().configuration();
        Map<String, Object> comparison = new LinkedHashMap<>();
        comparison.put("mode", c.mode().label());
        comparison.put("plain-mode", t.plain().configuration().mode().label());
        comparison.put("channels", c.channels());
        comparison.put("destination", c.destination().label());
        comparison.put("gib-per-s", rounded(t.tls().gibPerSecond()));
        comparison.put("plain-gib-per-s", rounded(t.plain().gibPerSecond()));
        comparison.put("percent-of-plain", rounded(t.percent()));
        comparison.put("cpu-s-per-gib-total", rounded(t.tls().cpuPerGibTotal()));
        comparison.put("plain-cpu-s-per-gib-total", rounded(t.plain().cpuPerGibTotal()));
        comparison.put("cpu-ratio", rounded(t.cpuRatio()));
        comparison.put("added-cpu-s-per-gib-total", rounded(t.addedCpu()));
        comparison.put("target", t.target());
        comparison.put("met", t.met());
        return comparison;
    }

    private List<Map<String, Object>> coldJson() {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ColdResult r : cold) {
            ColdConfiguration c = r.configuration();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("mode", c.mode().label());
            row.put("channels", c.channels());
            row.put("destination", c.destination().label());
            row.put("in-place", c.inPlace());
            if (r.isMeasured()) {
                row.put("bytes", r.bytes());
                row.put("gib-per-s", rounded(r.gibPerSecond()));
                ColdResult ceiling = coldCeilingFor(r).orElse(null);
                row.put("percent-of-cold-ceiling", rounded(r.percentOf(ceiling)));
                row.put("cpu-ratio-to-cold-ceiling", rounded(r.cpuRatioTo(ceiling)));
                row.put("window-cpu-ratio-to-cold-ceiling", rounded(r.windowCpuRatioTo(ceiling)));
                row.put("total-time-s", rounded(r.median(ColdResult.Run::totalSeconds)));
                row.put("send-process-s", rounded(r.median(ColdResult.Run::wallSeconds)));
                row.put("cpu-s-src", rounded(r.median(ColdResult.Run::cpuSecondsSrc)));
                row.put("cpu-s-dst", rounded(r.median(ColdResult.Run::cpuSecondsDst)));
                row.put("cpu-s-per-gib-total", rounded(r.cpuPerGibTotal()));
                row.put("window-cpu-s-src", rounded(r.median(run -> run.window().migrationSrc())));
                row.put("window-cpu-s-dst", rounded(r.median(run -> run.window().migrationDst())));
                row.put("window-cpu-s-per-gib-total", rounded(r.cpuPerGibInWindow()));
                row.put("before-window-cpu-s-src", rounded(r.median(run -> run.window().startUpSrc())));
                row.put("before-window-cpu-s-dst", rounded(r.median(run -> run.window().startUpDst())));
                row.put("minor-faults-src", Math.round(r.median(ColdResult.Run::faultsSrc)));
                row.put("minor-faults-dst", Math.round(r.median(ColdResult.Run::faultsDst)));
                List<Map<String, Object>> runs = new ArrayList<>();
                for (ColdResult.Run run : r.runs()) {
                    Map<String, Object> runJson = new LinkedHashMap<>();
                    runJson.put("total-time-s", rounded(run.totalSeconds()));
                    runJson.put("send-process-s", rounded(run.wallSeconds()));
                    runJson.put("cpu-s-src", rounded(run.cpuSecondsSrc()));
                    runJson.put("cpu-s-dst", rounded(run.cpuSecondsDst()));
                    runJson.put("window-cpu-s-src", rounded(run.window().migrationSrc()));
                    runJson.put("window-cpu-s-dst", rounded(run.window().migrationDst()));
                    runJson.put("before-window-cpu-s-src", rounded(run.window().startUpSrc()));
                    runJson.put("before-window-cpu-s-dst", rounded(run.window().startUpDst()));
                    runJson.put("minor-faults-src", run.faultsSrc());
                    runJson.put("minor-faults-dst", run.faultsDst());
                    runs.add(runJson);
                }
                row.put("runs", runs);
            } else {
                row.put("skipped", r.skipped());
            }
            rows.add(row);
        }
        return rows;
    }

    /** Four decimals are more than any of these figures is worth; NaN (no ceiling) becomes JSON null. */
    private static Double rounded(double value) {
        return Double.isFinite(value) ? Math.round(value * 10000) / 10000.0 : null;
    }

    private static String zeroCopy(BenchResult r) {
        if (!r.configuration().mode().zeroCopy()) {
            return "—";
        }
        return r.zeroCopyCopied() + " of " + r.zeroCopySends() + " sends copied";
    }

    static String format(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
