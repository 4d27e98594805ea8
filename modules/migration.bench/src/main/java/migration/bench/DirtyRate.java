package migration.bench;

import java.util.Locale;

/**
 * How fast the writers of a {@code multifd bench --live} row dirty memory: bytes per second, or a percentage of
 * the migration bandwidth that the run measures first (the live targets are stated at 25% of it).
 *
 * @param bytesPerSecond the absolute rate, or 0 when {@code percent} is set (or for no writes at all)
 * @param percent        the share of the measured bandwidth, or 0 for an absolute rate
 */
public record DirtyRate(long bytesPerSecond, int percent) {

    /** The largest share of the bandwidth accepted, percent. */
    public static final int MAX_PERCENT = 1000;

    /** Checks the components. */
    public DirtyRate {
        if (bytesPerSecond < 0 || percent < 0 || percent > MAX_PERCENT || (bytesPerSecond > 0 && percent > 0)) {
            throw new IllegalArgumentException("a dirty rate is either bytes per second or a percentage from 1 to "
                    + MAX_PERCENT + " of the bandwidth, but got " + bytesPerSecond + " bytes/s and " + percent + "%");
        }
    }

    /**
     * Parses one rate of {@code --dirty-rates}.
     *
     * @param text {@code 0}, a size per second ({@code 64m}, {@code 1g/s}) or a share of the bandwidth
     *             ({@code 25%})
     * @return the rate
     * @throws IllegalArgumentException if it is none of these
     */
    public static DirtyRate parse(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (s.endsWith("%")) {
            int percent = Integer.parseInt(s.substring(0, s.length() - 1).strip());
            if (percent < 1 || percent > MAX_PERCENT) {
                throw new IllegalArgumentException("a percentage of the bandwidth from 1 to " + MAX_PERCENT);
            }
            return new DirtyRate(0, percent);
        }
        if (s.endsWith("/s")) {
            s = s.substring(0, s.length() - 2);
        }
        return new DirtyRate(s.equals("0") ? 0 : BenchArguments.parseSize(s), 0);
    }

    /** {@return whether the rate is relative to the measured bandwidth} */
    public boolean relative() {
        return percent > 0;
    }

    /**
     * {@return the rate in bytes per second}
     * @param bandwidth the measured migration bandwidth, bytes per second (used by relative rates only)
     */
    public long resolve(long bandwidth) {
        return relative() ? bandwidth * percent / 100 : bytesPerSecond;
    }

    /** {@return the rate as typed: {@code 0}, {@code 64m}, {@code 1g}, {@code 25%}} */
    public String label() {
        if (relative()) {
            return percent + "%";
        }
        long b = bytesPerSecond;
        for (String unit : new String[] {"g", "m", "k"}) {
            long scale = unit.equals("g") ? 1L << 30 : unit.equals("m") ? 1L << 20 : 1L << 10;
            if (b >= scale && b % scale == 0) {
                return b / scale + unit;
            }
        }
        return Long.toString(b);
    }
}
