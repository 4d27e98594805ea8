package migration.cli;

import java.math.BigInteger;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte counts and rates as people type and read them: {@code 512k}, {@code 64m}, {@code 1.5g}, {@code 4096},
 * in binary units (k = 1024), case-insensitive, with an optional {@code b}, {@code ib} or {@code /s}.
 */
final class ByteSize {

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(?:([kmgtpe])(?:i?b)?|b)?",
            Pattern.CASE_INSENSITIVE);
    private static final String UNITS = "kmgtpe";
    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private ByteSize() {
    }

    /**
     * Parses a positive size.
     *
     * @param text such as {@code 512m}, {@code 1.5g} or {@code 4096}
     * @return the size in bytes
     * @throws IllegalArgumentException saying what was expected
     */
    static long parseSize(String text) {
        long bytes = parse(text, "expected a positive size such as 512m or 2g");
        if (bytes == 0) {
            throw new IllegalArgumentException("expected a positive size such as 512m or 2g");
        }
        return bytes;
    }

    /**
     * Parses a rate in bytes per second; {@code 0} means unlimited.
     *
     * @param text such as {@code 100m} (100 MiB/s), {@code 1g/s} or {@code 0}
     * @return bytes per second
     * @throws IllegalArgumentException saying what was expected
     */
    static long parseRate(String text) {
        String value = text == null ? null : text.strip();
        if (value != null && value.toLowerCase(Locale.ROOT).endsWith("/s")) {
            value = value.substring(0, value.length() - 2);
        }
        return parse(value, "expected bytes per second such as 100m or 1g, or 0 for unlimited");
    }

    private static long parse(String text, String expected) {
        Matcher m = text == null ? null : SIZE.matcher(text.strip());
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException(expected);
        }
        // BigInteger, not BigDecimal: BigDecimal's class initialisation computes a large power table (as of JDK 25),
        // which every start of the tool would pay (picocli applies size and rate defaults even for --help).
        String number = m.group(1);
        int point = number.indexOf('.');
        String fraction = point < 0 ? "" : number.substring(point + 1).replaceFirst("0+$", "");
        String digits = (point < 0 ? number : number.substring(0, point)) + fraction;
        int shift = m.group(2) == null ? 0 : 10 * (UNITS.indexOf(Character.toLowerCase(m.group(2).charAt(0))) + 1);
        // The size is digits * 2^shift / 10^fraction.length(), exactly.
        BigInteger[] bytes = new BigInteger(digits).shiftLeft(shift)
                .divideAndRemainder(BigInteger.TEN.pow(fraction.length()));
        if (bytes[0].compareTo(MAX) > 0) {
            throw new IllegalArgumentException("too large: at most " + Long.MAX_VALUE + " bytes");
        }
        if (bytes[1].signum() != 0) {
            String decimals = "0".repeat(fraction.length() - bytes[1].toString().length()) + bytes[1];
            throw new IllegalArgumentException("not a whole number of bytes (" + bytes[0] + "."
                    + decimals.replaceFirst("0+$", "") + "); " + expected);
        }
        return bytes[0].longValueExact();
    }

    /** {@return the size for people: {@code 4096 bytes}, {@code 8.00 MiB}, {@code 1.50 GiB}} */
    static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + (bytes == 1 ? " byte" : " bytes");
        }
        int unit = Math.min(UNITS.length(), (63 - Long.numberOfLeadingZeros(bytes)) / 10);
        double scaled = bytes / Math.pow(1024, unit);
        return String.format(Locale.ROOT, "%.2f %siB", scaled, Character.toUpperCase(UNITS.charAt(unit - 1)));
    }

    /** {@return a throughput in GiB/s with two decimals, such as {@code 1.25 GiB/s}} */
    static String formatGibPerSecond(long bytes, long millis) {
        double seconds = Math.max(millis, 1) / 1000.0;
        return String.format(Locale.ROOT, "%.2f GiB/s", bytes / seconds / (1L << 30));
    }
}
