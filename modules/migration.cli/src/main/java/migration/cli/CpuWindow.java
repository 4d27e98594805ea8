package migration.cli;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This process's CPU time (user + system, all its threads) before its migration and inside it, taken by the
 * process itself: QEMU's comparable figure is the CPU it uses in its migration window, while a shell's or the
 * benchmark's count of the whole process also holds the JVM's start-up and exit.
 *
 * <p>The window opens when {@link #open()} is first called (the source: just before it starts the migration; the
 * destination: when the source's handshake asks it for the memory of a block, right after the first accepted
 * connection identified itself) and closes at the verdict ({@link #close()}). The figures have the resolution of
 * the kernel's accounting ({@code /proc/self/stat}, proc(5): clock ticks, 10 ms on most systems).
 */
final class CpuWindow {

    /** IMPORTANT: the {@code --json} member {@code multifd bench}'s cold runner reads (ColdRunner). */
    static final String JSON_NAME = "process-cpu";

    private static final long UNSET = -1;

    private final AtomicLong opened = new AtomicLong(UNSET);
    private volatile long closed = UNSET;

    /** Opens the window at this process's CPU time now; later calls do nothing. */
    void open() {
        if (opened.get() == UNSET) {
            opened.compareAndSet(UNSET, processCpuNanos());
        }
    }

    /** Closes the window at this process's CPU time now, if it was opened; the last call counts. */
    void close() {
        if (opened.get() != UNSET) {
            closed = processCpuNanos();
        }
    }

    /**
     * {@return the members {@code before-migration} (CPU ms from the process's start until the window opened) and
     * {@code migration} (CPU ms inside the window), or no members when the window was never opened and closed}
     */
    Map<String, Object> json() {
        Map<String, Object> document = new LinkedHashMap<>();
        long start = opened.get();
        long end = closed;
        if (start != UNSET && end != UNSET) {
            document.put("before-migration", start / 1_000_000);
            document.put("migration", (end - start) / 1_000_000);
        }
        return document;
    }

    /** {@return CPU nanoseconds this process has used so far; 0 where the platform does not tell} */
    static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
}
