package migration.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;
import migration.MigrationStats;
import migration.MigrationStatus;
import migration.ZeroCopyMode;
import migration.ZeroCopyStats;

/**
 * Shows how a running migration is doing, on standard error. When standard error is a terminal one line is
 * rewritten about four times a second (percent, GiB/s, channels, zero-copy state); elsewhere (a pipe, a file, a
 * test) a plain line is written at most every {@link #PLAIN_INTERVAL} while pages move, so that a short failed run
 * leaves only its one-line reason on standard error.
 */
final class Progress {

    /** IMPORTANT: set by the image's launcher ({@code image/src/launcher/multifd}) to what {@code [ -t 2 ]} says. */
    static final String STDERR_TERMINAL = "multifd.stderr.terminal";

    /** How often the terminal line is redrawn. */
    static final Duration TERMINAL_INTERVAL = Duration.ofMillis(250);
    /** How often a plain progress line is written when not on a terminal. */
    static final Duration PLAIN_INTERVAL = Duration.ofSeconds(10);

    /** Waits up to a time for the migration to end. */
    @FunctionalInterface
    interface TimedWait {
        /**
         * Waits.
         *
         * @param timeout how long at most
         * @return whether it has ended
         * @throws InterruptedException if interrupted
         */
        boolean await(Duration timeout) throws InterruptedException;
    }

    private final PrintWriter err;
    private final String command;
    private final boolean terminal;
    private final boolean sending;
    private int drawnWidth;
    private long lastBytes;
    private long lastNanos;

    /**
     * Creates the display.
     *
     * @param err      where to write
     * @param command  the command's name, starting each plain line
     * @param terminal whether to redraw one line with {@code \r}
     * @param sending  whether this side sends (then it shows the zero-copy state)
     */
    Progress(PrintWriter err, String command, boolean terminal, boolean sending) {
        this.err = err;
        this.command = command;
        this.terminal = terminal;
        this.sending = sending;
    }

    /**
     * Writes a line about what is happening, such as the memory being filled, on a terminal only: elsewhere
     * standard error stays for progress and the one-line reason of a failure.
     *
     * @param line the line, without the command's name
     */
    void note(String line) {
        if (terminal) {
            err.println(command + ": " + line);
            err.flush();
        }
    }

    /**
     * {@return whether standard error, where progress goes, is a terminal} Standard output and input do not matter:
     * {@code multifd send --json > stats.json} still shows progress, and {@code multifd demo 2> log} does not. The
     * image's launcher says what {@code [ -t 2 ]} found in system property {@value #STDERR_TERMINAL}; without it
     * (a plain {@code java -m} run) Linux's {@code /proc/self/fd/2} tells whether it is a terminal device.
     */
    static boolean onTerminal() {
        return onTerminal(System.getProperty(STDERR_TERMINAL), Path.of("/proc/self/fd/2"));
    }

    /** {@link #onTerminal()} with its inputs given (for tests). */
    static boolean onTerminal(String told, Path stderrLink) {
        if (told != null && !told.isBlank()) {
            return Boolean.parseBoolean(told.strip());
        }
        try {
            String device = Files.readSymbolicLink(stderrLink).toString();
            return device.startsWith("/dev/pts/") || device.startsWith("/dev/tty") || device.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /**
     * Shows progress until the migration ends or the time is up.
     *
     * @param end     waits for the end
     * @param stats   live statistics
     * @param timeout how long to follow at most, or {@code null} for no limit
     * @return whether the migration has ended
     * @throws InterruptedException if interrupted
     */
    boolean follow(TimedWait end, Supplier<MigrationStats> stats, Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        long limit = timeout == null ? Long.MAX_VALUE : timeout.toNanos();
        Duration interval = terminal ? TERMINAL_INTERVAL : PLAIN_INTERVAL;
        lastNanos = start;
        try {
            while (true) {
                long left = limit - (System.nanoTime() - start);
                Duration wait = left < interval.toNanos() ? Duration.ofNanos(Math.max(left, 0)) : interval;
                if (end.await(wait)) {
                    return true;
                }
                if (System.nanoTime() - start >= limit) {
                    return false;
                }
                show(stats.get());
            }
        } finally {
            clear();
        }
    }

    private void show(MigrationStats stats) {
        long now = System.nanoTime();
        long done = stats.total() - stats.remaining();
        double seconds = (now - lastNanos) / 1e9;
        double rate = seconds > 0 ? (done - lastBytes) / seconds : 0;
        lastBytes = done;
        lastNanos = now;
        if (!terminal && stats.status() != MigrationStatus.ACTIVE) {
            return;
        }
        String line = line(stats, rate);
        if (terminal) {
            String text = "\r" + line;
            err.print(text + " ".repeat(Math.max(0, drawnWidth - line.length())));
            drawnWidth = line.length();
        } else {
            err.println(line);
        }
        err.flush();
    }

    /** {@return one progress line, such as {@code multifd send: 42% of 1.00 GiB, 1.21 GiB/s, 2 channels, ...}} */
    String line(MigrationStats stats, double bytesPerSecond) {
        if (stats.status() == MigrationStatus.SETUP) {
            return command + ": " + (sending ? "connecting" : "waiting for the source") + "...";
        }
        long done = stats.total() - stats.remaining();
        int percent = stats.total() == 0 ? 100 : (int) (done * 100 / stats.total());
        StringBuilder text = new StringBuilder(command).append(": ")
                .append(percent).append("% of ").append(ByteSize.format(stats.total()))
                .append(String.format(Locale.ROOT, ", %.2f GiB/s", bytesPerSecond / (1L << 30)))
                .append(", ").append(stats.channels().size()).append(stats.channels().size() == 1 ? " channel" : " channels");
        if (sending) {
            text.append(", ").append(zeroCopyState(stats.zeroCopy()));
        }
        return text.toString();
    }

    private static String zeroCopyState(ZeroCopyStats zeroCopy) {
        if (zeroCopy.active()) {
            return "zero-copy on (" + zeroCopy.provider() + ")";
        }
        if (zeroCopy.sends() > 0 && zeroCopy.mode() == ZeroCopyMode.ON) {
            // Required, so still asked for on every write, but the kernel copied them (ZeroCopyStats.active).
            return "zero-copy on, copied by the kernel (" + zeroCopy.provider() + ")";
        }
        if (zeroCopy.sends() > 0) {
            return "zero-copy switched to copying (" + zeroCopy.provider() + ")";
        }
        return "copying (" + zeroCopy.provider() + ")";
    }

    private void clear() {
        if (terminal && drawnWidth > 0) {
            err.print("\r" + " ".repeat(drawnWidth) + "\r");
            err.flush();
            drawnWidth = 0;
        }
    }
}
