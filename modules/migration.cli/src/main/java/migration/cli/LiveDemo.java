package migration.cli;

import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import migration.LiveStats;
import migration.MigrationStats;
import migration.SourceHooks;

/**
 * The writers of {@code multifd demo --live}: threads that dirty random pages of the source memory at a given
 * rate (one 8-byte write per page, so every write dirties a page), stopped by the pause hook, restarted by the
 * resume hook, and slowed by the throttle hook (a writer throttled at p% sleeps p% of its time). Also the lines
 * the demo adds to its summary.
 */
final class LiveDemo implements SourceHooks {

    private static final long PAGE = 4096;
    /** Pages a writer dirties between two looks at the clock. */
    private static final int BATCH = 64;

    private final MemorySegment memory;
    private final long bytesPerSecond;
    private final int threads;
    private final List<Thread> running = new ArrayList<>();
    private volatile boolean stop;
    private volatile int throttle;
    private volatile int maxThrottle;
    private volatile long pausedNanos;
    private volatile long pauseTookNanos;

    /**
     * @param memory         the source memory
     * @param bytesPerSecond how many bytes of pages to dirty per second, over all writers
     * @param threads        the number of writer threads
     */
    LiveDemo(MemorySegment memory, long bytesPerSecond, int threads) {
        this.memory = memory;
        this.bytesPerSecond = bytesPerSecond;
        this.threads = threads;
    }

    /** Starts the writers. */
    synchronized void start() {
        stop = false;
        for (int i = 0; i < threads; i++) {
            long seed = System.nanoTime() + i;
            running.add(Thread.ofPlatform().daemon(true).name("multifd-demo-writer-" + i).start(() -> write(seed)));
        }
    }

    private void write(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long pages = Math.max(1, memory.byteSize() / PAGE);
        long batchNanos = (long) (BATCH * PAGE * 1e9 * threads / bytesPerSecond);
        long next = System.nanoTime();
        while (!stop) {
            for (int i = 0; i < BATCH; i++) {
                long offset = Math.min(memory.byteSize() - 8, random.nextLong(pages) * PAGE + random.nextInt(512) * 8L);
                memory.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, random.nextLong());
            }
            int percent = throttle;
            // Throttled at p%, a batch takes 1 / (1 - p) as long: the writer sleeps p% of its time.
            next += percent == 0 ? batchNanos : batchNanos * 100 / (100 - percent);
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            } else if (wait < -1_000_000_000L) {
                next = System.nanoTime(); // Fell behind by more than a second: do not race to catch up.
            }
        }
    }

    @Override
    public synchronized void pause() throws InterruptedException {
        long start = System.nanoTime();
        stop = true;
        for (Thread thread : running) {
            thread.join();
        }
        running.clear();
        pausedNanos = System.nanoTime();
        pauseTookNanos = pausedNanos - start;
    }

    @Override
    public void resume() {
        start();
    }

    @Override
    public void throttle(int percent) {
        throttle = percent;
        maxThrottle = Math.max(maxThrottle, percent);
    }

    /** Stops the writers if they still run (after a failure before the pause, or at exit). */
    void stopQuietly() {
        try {
            pause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Prints the live part of the summary: rounds, expected against actual downtime, throttling, trackers.
     *
     * @param out   where to print
     * @param stats the source's final statistics
     */
    void summarize(PrintWriter out, MigrationStats stats) {
        LiveStats live = stats.live();
        out.printf(Locale.ROOT, "  live        %s%n", live.mode().replaceFirst("^live: ", ""));
        out.printf(Locale.ROOT, "  rounds      %d (%s)%n", live.rounds().size(), live.convergence());
        for (LiveStats.Round round : live.rounds()) {
            out.printf(Locale.ROOT, "    round %-3d %,d pages sent, %,d dirty after it, sync %.1f ms, %s/s%n",
                    round.round(), round.pagesSent(), round.dirtyPagesFound(), round.syncMicros() / 1000.0,
                    ByteSize.format(round.bytesPerSecond()));
        }
        out.printf(Locale.ROOT, "  downtime    %d ms (expected %d ms; pausing the writers took %.1f ms)%n",
                live.downtimeMillis(), live.expectedDowntimeMillis(), pauseTookNanos / 1e6);
        out.printf(Locale.ROOT, "  throttle    %s%n", maxThrottle == 0 ? "none"
                : "up to " + maxThrottle + "% (auto-converge)");
        for (LiveStats.Tracker tracker : live.trackers()) {
            out.printf(Locale.ROOT, "  tracker     %s: %s (%s)%n", tracker.block(), tracker.tracker(),
                    tracker.reason());
        }
        out.flush();
    }
}
