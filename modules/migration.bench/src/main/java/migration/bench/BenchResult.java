package migration.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * The outcome of one configuration: measured (the medians of its runs), or skipped with the reason.
 *
 * @param configuration  what was measured
 * @param bytes          bytes of memory moved per run
 * @param seconds        the median of the runs' wall times of the transfer, from the source starting until it
 *                       knows the destination has every byte (for a migration: until the destination's
 *                       verdict); with an even number of runs, the mean of the middle two
 * @param cpuSecondsSrc  the median of the runs' CPU times of the source process over its window
 * @param cpuSecondsDst  the median of the runs' CPU times of the destination process over its window; each
 *                       median is taken on its own, so the three may come from different runs
 * @param zeroCopySends  zero-copy send calls over all runs (zero-copy mode only)
 * @param zeroCopyCopied of those, completions the kernel reported as copied
 * @param jitMillisSrc   the most milliseconds the source's JIT compiled within one window
 * @param jitMillisDst   the most milliseconds the destination's JIT compiled within one window
 * @param runs           every run, in order
 * @param skipped        why the configuration was not measured, or {@code null} if it was
 */
public record BenchResult(Configuration configuration, long bytes, double seconds, double cpuSecondsSrc,
                          double cpuSecondsDst, long zeroCopySends, long zeroCopyCopied, long jitMillisSrc,
                          long jitMillisDst, List<Run> runs, String skipped) implements MeasuredRow {

    private static final double GIB = 1L << 30;

    /**
     * One measured transfer.
     *
     * @param seconds       its wall time
     * @param cpuSecondsSrc the source's CPU time over its window
     * @param cpuSecondsDst the destination's CPU time over its window
     */
    public record Run(double seconds, double cpuSecondsSrc, double cpuSecondsDst) {
    }

    /** Checks the components. */
    public BenchResult {
        Objects.requireNonNull(configuration, "configuration");
        runs = List.copyOf(runs);
    }

    /**
     * {@return a result measured once}
     * @param configuration what was measured
     * @param source        the source's report
     * @param destination   the destination's report
     */
    public static BenchResult measured(Configuration configuration, SideReport source, SideReport destination) {
        return measured(configuration, List.of(source), List.of(destination));
    }

    /**
     * {@return a result measured several times: the medians of wall time and of each side's CPU time, the
     * zero-copy counts summed, the largest JIT times}
     * @param configuration what was measured
     * @param sources       the source's report of each run
     * @param destinations  the destination's report of each run, in the same order
     * @throws IllegalArgumentException if there are no runs, or the lists differ in length
     */
    public static BenchResult measured(Configuration configuration, List<SideReport> sources,
                                       List<SideReport> destinations) {
        if (sources.isEmpty() || sources.size() != destinations.size()) {
            throw new IllegalArgumentException("need one source and one destination report per run, but got "
                    + sources.size() + " and " + destinations.size());
        }
        List<Run> runs = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            runs.add(new Run(sources.get(i).wallNanos() / 1e9, sources.get(i).cpuNanos() / 1e9,
                    destinations.get(i).cpuNanos() / 1e9));
        }
        return new BenchResult(configuration, sources.getFirst().bytes(), median(runs, Run::seconds),
                median(runs, Run::cpuSecondsSrc), median(runs, Run::cpuSecondsDst),
                sources.stream().mapToLong(SideReport::zeroCopySends).sum(),
                sources.stream().mapToLong(SideReport::zeroCopyCopied).sum(),
                sources.stream().mapToLong(SideReport::jitMillis).max().orElse(0),
                destinations.stream().mapToLong(SideReport::jitMillis).max().orElse(0), runs, null);
    }

    /** The middle value, or the mean of the two middle ones. */
    static double median(List<Run> runs, ToDoubleFunction<Run> value) {
        double[] values = runs.stream().mapToDouble(value).sorted().toArray();
        int middle = values.length / 2;
        return values.length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    /**
     * {@return a configuration that was not measured}
     * @param configuration what would have been measured
     * @param why           the reason
     */
    public static BenchResult skipped(Configuration configuration, String why) {
        return new BenchResult(configuration, 0, 0, 0, 0, 0, 0, 0, 0, List.of(), Objects.requireNonNull(why, "why"));
    }

    /** {@return the slowest and the fastest run's GiB/s} */
    public double[] gibPerSecondRange() {
        double min = Double.POSITIVE_INFINITY;
        double max = 0;
        for (Run run : runs) {
            double rate = run.seconds() > 0 ? bytes / GIB / run.seconds() : 0;
            min = Math.min(min, rate);
            max = Math.max(max, rate);
        }
        return runs.isEmpty() ? new double[2] : new double[] {min, max};
    }

    /** {@return whether the configuration was measured} */
    public boolean isMeasured() {
        return skipped == null;
    }

    /** {@return throughput in GiB (2^30 bytes) per second; 0 if not measured} */
    @Override
    public double gibPerSecond() {
        return isMeasured() && seconds > 0 ? bytes / GIB / seconds : 0;
    }

    /** {@return source CPU seconds per GiB moved; 0 if not measured} */
    public double cpuPerGibSrc() {
        return perGib(cpuSecondsSrc);
    }

    /** {@return destination CPU seconds per GiB moved; 0 if not measured} */
    public double cpuPerGibDst() {
        return perGib(cpuSecondsDst);
    }

    /** {@return both sides' CPU seconds per GiB} */
    @Override
    public double cpuPerGibTotal() {
        return perGib(cpuSecondsSrc + cpuSecondsDst);
    }

    /**
     * {@return this throughput as a percentage of another's, or NaN if either was not measured}
     * @param ceiling the reference
     */
    public double percentOf(BenchResult ceiling) {
        if (ceiling == null || !isMeasured() || !ceiling.isMeasured() || ceiling.gibPerSecond() == 0) {
            return Double.NaN;
        }
        return 100 * gibPerSecond() / ceiling.gibPerSecond();
    }

    /**
     * {@return total CPU per GiB as a multiple of another's, or NaN if either was not measured}
     * @param ceiling the reference
     */
    public double cpuRatioTo(BenchResult ceiling) {
        if (ceiling == null || !isMeasured() || !ceiling.isMeasured() || ceiling.cpuPerGibTotal() == 0) {
            return Double.NaN;
        }
        return cpuPerGibTotal() / ceiling.cpuPerGibTotal();
    }

    private double perGib(double cpuSeconds) {
        return isMeasured() && bytes > 0 ? cpuSeconds / (bytes / GIB) : 0;
    }
}
