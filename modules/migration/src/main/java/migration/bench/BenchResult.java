package migration.bench;

import java.util.Objects;

/**
 * The outcome of one configuration: measured, or skipped with the reason.
 *
 * @param configuration  what was measured
 * @param bytes          bytes of memory moved
 * @param seconds        wall time of the transfer, from the source starting until it knows the destination
 *                       has every byte (for a migration: until the destination's verdict)
 * @param cpuSecondsSrc  CPU time of the source process over its window
 * @param cpuSecondsDst  CPU time of the destination process over its window
 * @param zeroCopySends  zero-copy send calls (zero-copy mode only)
 * @param zeroCopyCopied of those, completions the kernel reported as copied
 * @param jitMillisSrc   milliseconds the source's JIT compiled within its window
 * @param jitMillisDst   milliseconds the destination's JIT compiled within its window
 * @param skipped        why the configuration was not measured, or {@code null} if it was
 */
public record BenchResult(Configuration configuration, long bytes, double seconds, double cpuSecondsSrc,
                          double cpuSecondsDst, long zeroCopySends, long zeroCopyCopied, long jitMillisSrc,
                          long jitMillisDst, String skipped) {

    private static final double GIB = 1L << 30;

    /** Checks the components. */
    public BenchResult {
        Objects.requireNonNull(configuration, "configuration");
    }

    /**
     * {@return a measured result}
     * @param configuration what was measured
     * @param source        the source's report
     * @param destination   the destination's report
     */
    public static BenchResult measured(Configuration configuration, SideReport source, SideReport destination) {
        return new BenchResult(configuration, source.bytes(), source.wallNanos() / 1e9, source.cpuNanos() / 1e9,
                destination.cpuNanos() / 1e9, source.zeroCopySends(), source.zeroCopyCopied(), source.jitMillis(),
                destination.jitMillis(), null);
    }

    /**
     * {@return a configuration that was not measured}
     * @param configuration what would have been measured
     * @param why           the reason
     */
    public static BenchResult skipped(Configuration configuration, String why) {
        return new BenchResult(configuration, 0, 0, 0, 0, 0, 0, 0, 0, Objects.requireNonNull(why, "why"));
    }

    /** {@return whether the configuration was measured} */
    public boolean isMeasured() {
        return skipped == null;
    }

    /** {@return throughput in GiB (2^30 bytes) per second; 0 if not measured} */
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
