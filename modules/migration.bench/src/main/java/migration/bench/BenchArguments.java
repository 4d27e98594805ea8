package migration.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/** Parses the values of {@code multifd bench}'s options; every message names the option and what it accepts. */
public final class BenchArguments {

    private BenchArguments() {
    }

    /**
     * Parses a size: a number of bytes with an optional binary suffix {@code k}, {@code m}, {@code g}
     * (KiB, MiB, GiB; case-insensitive, an optional {@code b} or {@code ib} after it).
     *
     * @param text for example {@code 2g}, {@code 512MiB}, {@code 8m}, {@code 4096}
     * @return bytes, at least 4096
     * @throws IllegalArgumentException if the text is not a size or it is below one page
     */
    public static long parseSize(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (s.endsWith("ib")) {
            s = s.substring(0, s.length() - 2);
        } else if (s.endsWith("b") && s.length() > 1 && Character.isLetter(s.charAt(s.length() - 2))) {
            s = s.substring(0, s.length() - 1);
        }
        long unit = 1;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'k' -> unit = 1L << 10;
                case 'm' -> unit = 1L << 20;
                case 'g' -> unit = 1L << 30;
                default -> { }
            }
        }
        if (unit != 1) {
            s = s.substring(0, s.length() - 1);
        }
        long value;
        try {
            value = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--size expects a number of bytes with an optional k, m or g suffix"
                    + " (such as 2g or 512m), but got '" + text + "'");
        }
        if (value < 0 || value > Long.MAX_VALUE / unit) {
            throw new IllegalArgumentException("--size is out of range: '" + text + "'");
        }
        long bytes = value * unit;
        if (bytes < 4096) {
            throw new IllegalArgumentException("--size must be at least one page (4096 bytes), but got '" + text + "'");
        }
        return bytes;
    }

    /**
     * Parses the warm-up size: {@code 0} or a size as {@link #parseSize} takes it.
     *
     * @param text for example {@code 2g} or {@code 0}
     * @return bytes
     */
    public static long parseWarmUp(String text) {
        if (text.strip().equals("0")) {
            return 0;
        }
        try {
            return parseSize(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replace("--size", "--warm-up"), e);
        }
    }

    /** The most measured runs per configuration {@code --repeat} accepts. */
    public static final int MAX_REPEAT = 100;

    /**
     * Parses {@code --repeat}: how many measured transfers each configuration makes.
     *
     * @param text a whole number from 1 to {@value #MAX_REPEAT}
     * @return the number
     * @throws IllegalArgumentException naming the option and what it accepts
     */
    public static int parseRepeat(String text) {
        try {
            int repeat = Integer.parseInt(text.strip());
            if (repeat >= 1 && repeat <= MAX_REPEAT) {
                return repeat;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new IllegalArgumentException("--repeat expects a whole number from 1 to " + MAX_REPEAT + ", but got '"
                + text + "'");
    }

    /**
     * Parses a comma-separated list of channel counts.
     *
     * @param text for example {@code 1,2,4,8}
     * @return the counts, each 1 to 255, without duplicates, in the given order
     * @throws IllegalArgumentException if an element is not a count in range or the list is empty
     */
    public static List<Integer> parseChannels(String text) {
        return parseList(text, "--channels", "comma-separated channel counts from 1 to 255, such as 1,2,4,8",
                s -> {
                    int n = Integer.parseInt(s);
                    if (n < 1 || n > 255) {
                        throw new IllegalArgumentException();
                    }
                    return n;
                });
    }

    /**
     * Parses a comma-separated list of modes.
     *
     * @param text for example {@code ceiling,linux-copy}
     * @return the modes, in the given order
     */
    public static List<Mode> parseModes(String text) {
        return parseList(text, "--modes", "a comma-separated list of " + Mode.labels(), Mode::ofLabel);
    }

    /**
     * Parses a comma-separated list of destination kinds.
     *
     * @param text for example {@code fresh,pre-touched}
     * @return the kinds, in the given order
     */
    public static List<DestinationKind> parseDestinations(String text) {
        return parseList(text, "--destinations", "a comma-separated list of fresh, pre-touched",
                DestinationKind::ofLabel);
    }

    /**
     * Parses {@code on} or {@code off}.
     *
     * @param option the option's name, for the message
     * @param text   the value
     * @return whether it is on
     */
    public static boolean parseSwitch(String option, String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new IllegalArgumentException(option + " expects on or off, but got '" + text + "'");
        };
    }

    private static <T> List<T> parseList(String text, String option, String expected, Function<String, T> element) {
        Set<T> values = new LinkedHashSet<>();
        for (String part : text.split(",", -1)) {
            String s = part.strip();
            try {
                if (s.isEmpty()) {
                    throw new IllegalArgumentException();
                }
                values.add(element.apply(s));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(option + " expects " + expected + ", but got '" + text + "'"
                        + (s.isEmpty() ? "" : " ('" + s + "' is not one)"));
            }
        }
        return new ArrayList<>(values);
    }

    /**
     * Parses {@code --dirty-rates}: the writers' rates of {@code multifd bench --live}.
     *
     * @param text for example {@code 0,64m,256m,1g,25%}
     * @return the rates, without duplicates, in the given order
     */
    public static List<DirtyRate> parseDirtyRates(String text) {
        return parseList(text, "--dirty-rates", "a comma-separated list of dirty rates: 0, bytes per second such as"
                + " 64m or 1g, or a percentage of the measured migration bandwidth such as 25%", DirtyRate::parse);
    }

    /** The dirty trackers {@code multifd bench --live} knows. */
    private static final List<String> TRACKERS = List.of("linux", "portable", "application");

    /**
     * Parses {@code --trackers}: the dirty trackers of {@code multifd bench --live}.
     *
     * @param text for example {@code linux,portable}
     * @return the trackers' names, in the given order
     */
    public static List<String> parseTrackers(String text) {
        return parseList(text, "--trackers", "a comma-separated list of linux, portable, application", s -> {
            if (!TRACKERS.contains(s)) {
                throw new IllegalArgumentException();
            }
            return s;
        });
    }
}
