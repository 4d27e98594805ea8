package migration.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one side (one child process) measured over its transfer window, as it reports it on one line of
 * standard output: {@code RESULT cpu-ns=… wall-ns=… bytes=… zc-sends=… zc-copied=… jit-ms=…}.
 *
 * @param cpuNanos  the process's CPU time (user + system, all threads) over the window
 * @param wallNanos the window's length
 * @param bytes     bytes of memory moved
 * @param zeroCopySends  zero-copy send calls (source of the zero-copy mode), else 0
 * @param zeroCopyCopied completions the kernel reported as copied, else 0
 * @param jitMillis      milliseconds the JIT compilers spent compiling within the window (part of
 *                       {@code cpuNanos}: a steady state has next to none)
 */
public record SideReport(long cpuNanos, long wallNanos, long bytes, long zeroCopySends, long zeroCopyCopied,
                         long jitMillis) {

    private static final String PREFIX = "RESULT";

    /** {@return the line a worker prints} */
    public String toLine() {
        return PREFIX + " cpu-ns=" + cpuNanos + " wall-ns=" + wallNanos + " bytes=" + bytes + " zc-sends="
                + zeroCopySends + " zc-copied=" + zeroCopyCopied + " jit-ms=" + jitMillis;
    }

    /** {@return whether the line is a result line} @param line a line of a worker's output */
    public static boolean isResultLine(String line) {
        return line.startsWith(PREFIX + " ");
    }

    /**
     * Parses a result line.
     *
     * @param line as written by {@link #toLine()}
     * @return the report
     * @throws IllegalArgumentException if the line is malformed, naming what is wrong
     */
    public static SideReport parse(String line) {
        if (!isResultLine(line)) {
            throw new IllegalArgumentException("not a result line: '" + line + "'");
        }
        Map<String, Long> values = new LinkedHashMap<>();
        for (String part : line.substring(PREFIX.length() + 1).trim().split("\\s+")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("malformed field '" + part + "' in '" + line + "'");
            }
            try {
                values.put(part.substring(0, eq), Long.parseLong(part.substring(eq + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("field '" + part + "' is not a number in '" + line + "'");
            }
        }
        return new SideReport(required(values, "cpu-ns", line), required(values, "wall-ns", line),
                required(values, "bytes", line), values.getOrDefault("zc-sends", 0L),
                values.getOrDefault("zc-copied", 0L), values.getOrDefault("jit-ms", 0L));
    }

    private static long required(Map<String, Long> values, String name, String line) {
        Long value = values.get(name);
        if (value == null) {
            throw new IllegalArgumentException("field '" + name + "' missing in '" + line + "'");
        }
        return value;
    }
}
