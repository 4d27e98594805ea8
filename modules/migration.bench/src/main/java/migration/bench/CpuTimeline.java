package migration.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A child process's CPU time (user + system over all its threads) through its life, sampled so that what it had
 * used at any moment can be read off afterwards. The cold rows need it at moments the bench only learns later (the
 * sender's migration started {@code total-time} before it printed its document), and a process's own counters can
 * no longer be read once it has been reaped.
 *
 * <p>A daemon thread reads {@code /proc/PID/stat} (proc(5): {@code utime} and {@code stime}, fields 14 and 15, in
 * clock ticks) once a tick, the counters' own resolution, until the process is gone or {@link #close()}. The process
 * is the one child of the shell that reports its usage ({@link ProcessUsage#wrap}): the tool's launcher, which
 * execs java and so keeps its pid and counters, or java itself. Until the shell has started it, it has used nothing.
 */
final class CpuTimeline implements AutoCloseable {

    /** One clock tick at the {@code USER_HZ} of 100 that Linux reports these counters in. */
    private static final long TICK_MILLIS = 10;

    private final ProcessHandle shell;
    /** Sample times ({@link System#nanoTime()}) and the ticks used by then, in step; guarded by this. */
    private final List<long[]> samples = new ArrayList<>();
    /** The shell's child, once it has one; read and written by the sampling thread only. */
    private ProcessHandle child;
    private Thread sampler;
    private volatile boolean closed;

    /**
     * @param shell   the shell, just started
     * @param started when it was started ({@link System#nanoTime()})
     */
    CpuTimeline(ProcessHandle shell, long started) {
        this.shell = shell;
        samples.add(new long[] {started, 0});
    }

    /**
     * Starts following the child of a reporting shell, once a tick.
     *
     * @param shell   the shell, just started
     * @param started when it was started ({@link System#nanoTime()})
     * @return the timeline, sampling
     */
    static CpuTimeline follow(ProcessHandle shell, long started) {
        CpuTimeline timeline = new CpuTimeline(shell, started);
        timeline.sampler = Thread.ofPlatform().daemon(true).name("bench-cpu-timeline").start(timeline::sampleEachTick);
        return timeline;
    }

    private void sampleEachTick() {
        try {
            while (!closed && sample()) {
                Thread.sleep(TICK_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Takes one sample of the shell's child, if it has one yet.
     *
     * @return whether to go on: false once the child is gone (reaped: its last sample stands), or the shell ended
     *         without one
     */
    boolean sample() {
        if (child == null) {
            child = shell.children().findFirst().orElse(null);
            if (child == null) {
                return shell.isAlive();
            }
        }
        String stat;
        try {
            stat = Files.readString(Path.of("/proc", Long.toString(child.pid()), "stat"));
        } catch (IOException e) {
            return false;
        }
        record(System.nanoTime(), ticks(stat));
        return true;
    }

    /** Adds a sample (for tests, samples of their own). */
    synchronized void record(long nanos, long ticks) {
        samples.add(new long[] {nanos, ticks});
    }

    /**
     * {@return {@code utime + stime} from a {@code /proc/PID/stat} line, in clock ticks}
     *
     * @throws IllegalArgumentException if the line is not one
     */
    static long ticks(String stat) {
        String[] fields = ProcessUsage.fieldsFromState(stat);
        return Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]);
    }

    /**
     * {@return the CPU seconds the process had used at a moment: interpolated between the samples around it, the
     * last sample's after the last one}
     *
     * @param nanos          the moment ({@link System#nanoTime()})
     * @param ticksPerSecond the clock ticks per second the counters are in ({@link ProcessUsage#ticksPerSecond()})
     */
    synchronized double secondsAt(long nanos, long ticksPerSecond) {
        long[] before = samples.getFirst();
        for (long[] sample : samples.subList(1, samples.size())) {
            if (sample[0] >= nanos && sample[0] > before[0]) {
                double share = Math.max(0, nanos - before[0]) / (double) (sample[0] - before[0]);
                return (before[1] + share * (sample[1] - before[1])) / ticksPerSecond;
            }
            before = sample;
        }
        return before[1] / (double) ticksPerSecond;
    }

    /** Stops sampling, and waits for the sampler to stop. */
    @Override
    public void close() {
        closed = true;
        if (sampler == null) {
            return;
        }
        try {
            sampler.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
