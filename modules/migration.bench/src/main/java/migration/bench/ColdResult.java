package migration.bench;

import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * The outcome of one cold one-shot configuration: {@code multifd receive --into} and {@code multifd send --from}
 * as fresh processes, measured {@code --repeat} times (the medians of its runs), or skipped with the reason.
 *
 * @param configuration what was measured: mode (plain or TLS), channels, destination file, {@code --in-place}
 * @param bytes       the file's size
 * @param runs        every run, in order
 * @param skipped     why it was not measured, or {@code null} if it was
 */
public record ColdResult(ColdConfiguration configuration, long bytes, List<Run> runs, String skipped)
        implements MeasuredRow {

    private static final double GIB = 1L << 30;

    /**
     * One cold transfer.
     *
     * @param totalSeconds the sender's own {@code total-time} (its JSON): from starting the migration until the
     *                     destination's verdict
     * @param wallSeconds  from starting the {@code send} process until it ended: start-up and exit included
     * @param cpuSecondsSrc the whole sending process's user + system time
     * @param cpuSecondsDst the whole receiving process's user + system time (it started listening first)
     * @param faultsSrc    the sending process's minor page faults
     * @param faultsDst    the receiving process's minor page faults
     * @param window       each process's CPU before and inside the migration window
     */
    public record Run(double totalSeconds, double wallSeconds, double cpuSecondsSrc, double cpuSecondsDst,
                      long faultsSrc, long faultsDst, Window window) {

        /** Checks. */
        public Run {
            Objects.requireNonNull(window, "window");
        }
    }

    /**
     * Each process's CPU before and inside the migration window, comparable with QEMU's CPU "in its migration
     * window": the window is the sender's total-time (from just before it started the migration until the
     * destination's verdict), for both processes, read off their CPU time sampled while they ran
     * ({@link CpuTimeline}).
     *
     * @param startUpSrc the sending process's CPU seconds before the window (JVM start-up, option parsing, mapping)
     * @param startUpDst the receiving process's CPU seconds before the window (start-up, listening, waiting)
     * @param migrationSrc the sending process's CPU seconds inside the window
     * @param migrationDst the receiving process's CPU seconds inside the window
     */
    public record Window(double startUpSrc, double startUpDst, double migrationSrc, double migrationDst) {
    }

    /** Checks and copies. */
    public ColdResult {
        Objects.requireNonNull(configuration, "configuration");
        runs = List.copyOf(runs);
        if (skipped == null && runs.isEmpty()) {
            throw new IllegalArgumentException("a measured result needs at least one run");
        }
    }

    /** {@return a result that was not measured} @param configuration what @param why why */
    public static ColdResult skipped(ColdConfiguration configuration, String why) {
        return new ColdResult(configuration, 0, List.of(), Objects.requireNonNull(why, "why"));
    }

    /** {@return whether it was measured} */
    public boolean isMeasured() {
        return skipped == null;
    }

    /** {@return the median of a figure over the runs (the mean of the middle two for an even count)} */
    double median(ToDoubleFunction<Run> figure) {
        double[] values = runs.stream().mapToDouble(figure).sorted().toArray();
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    /** {@return GiB per second of the median total-time} */
    @Override
    public double gibPerSecond() {
        double seconds = median(Run::totalSeconds);
        return seconds > 0 ? bytes / GIB / seconds : 0;
    }

    /** {@return the slowest and the fastest run's GiB/s, by total-time} */
    public double[] gibPerSecondRange() {
        double[] rates = runs.stream().mapToDouble(r -> r.totalSeconds() > 0 ? bytes / GIB / r.totalSeconds() : 0)
                .sorted().toArray();
        return rates.length == 0 ? new double[2] : new double[] {rates[0], rates[rates.length - 1]};
    }

    /** {@return the median of both whole processes' CPU seconds together, per GiB} */
    @Override
    public double cpuPerGibTotal() {
        return bytes > 0 ? median(r -> r.cpuSecondsSrc() + r.cpuSecondsDst()) / (bytes / GIB) : 0;
    }

    /** {@return the median of both processes' CPU seconds inside their migration windows together, per GiB} */
    public double cpuPerGibInWindow() {
        return bytes > 0 ? median(r -> r.window().migrationSrc() + r.window().migrationDst()) / (bytes / GIB) : 0;
    }

    /**
     * {@return GiB/s in percent of another row's (this row's cold ceiling), or NaN if either was not measured}
     * @param ceiling the other row, or {@code null}
     */
    public double percentOf(ColdResult ceiling) {
        return ratio(ceiling, ColdResult::gibPerSecond) * 100;
    }

    /**
     * {@return both whole processes' CPU per GiB as a multiple of another row's, or NaN if either was not measured}
     * @param ceiling the other row, or {@code null}
     */
    public double cpuRatioTo(ColdResult ceiling) {
        return ratio(ceiling, ColdResult::cpuPerGibTotal);
    }

    /**
     * {@return both processes' CPU per GiB inside their migration windows as a multiple of another row's, or NaN
     * if either was not measured}
     * @param ceiling the other row, or {@code null}
     */
    public double windowCpuRatioTo(ColdResult ceiling) {
        return ratio(ceiling, ColdResult::cpuPerGibInWindow);
    }

    private double ratio(ColdResult other, ToDoubleFunction<ColdResult> figure) {
        if (other == null || !isMeasured() || !other.isMeasured() || figure.applyAsDouble(other) == 0) {
            return Double.NaN;
        }
        return figure.applyAsDouble(this) / figure.applyAsDouble(other);
    }
}
