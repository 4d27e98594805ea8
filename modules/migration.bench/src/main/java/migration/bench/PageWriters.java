package migration.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import migration.SourceHooks;

/**
 * Writer threads that dirty random pages of a source's memory at a given rate, for the live rows
 * ({@link LiveWorker}): one 8-byte write per page, so every write dirties a page. They are the application of a
 * live migration: stopped by the pause hook, restarted by the resume hook, and slowed by the throttle hook (a
 * writer throttled at p% sleeps p% of its time). They count their writes and their threads' CPU time, so that the
 * bench can tell what a write cost while the memory was tracked. ({@code multifd demo --live} has writers of its
 * own, without the counting: the tool and the bench share no code.)
 */
final class PageWriters implements SourceHooks {

    /**
     * Told of every write, after it: what an application does for the {@code application} dirty tracker
     * ({@code MigrationSource.markDirty}). Called on the writer threads.
     */
    @FunctionalInterface
    interface Reporter {
        /** Reports nothing: for trackers that find the writes themselves. */
        Reporter NONE = (offset, length) -> { };

        /**
         * Reports a write.
         *
         * @param offset the first byte written
         * @param length the bytes written
         */
        void written(long offset, long length);
    }

    private static final long PAGE = 4096;
    /** Pages a writer dirties between two looks at the clock. */
    private static final int BATCH = 64;

    private final MemorySegment memory;
    private final long bytesPerSecond;
    private final int threads;
    private final Reporter reporter;
    private final List<Thread> running = new ArrayList<>();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong cpuNanos = new AtomicLong();
    private volatile boolean stop;
    private volatile int throttle;
    private volatile int maxThrottle;
    private volatile long pauseTookNanos;

    /**
     * @param memory         the source memory, at least 8 bytes
     * @param bytesPerSecond how many bytes of pages to dirty per second, over all writers; 0 starts no writer
     * @param threads        the number of writer threads, at least 1
     * @param reporter       told of every write
     */
    PageWriters(MemorySegment memory, long bytesPerSecond, int threads, Reporter reporter) {
        this.memory = Objects.requireNonNull(memory, "memory");
        this.reporter = Objects.requireNonNull(reporter, "reporter");
        if (memory.byteSize() < Long.BYTES || bytesPerSecond < 0 || threads < 1) {
            throw new IllegalArgumentException("writers need at least 8 bytes of memory, a rate of 0 or more and"
                    + " at least one thread, but got " + memory.byteSize() + " bytes, " + bytesPerSecond
                    + " bytes/s, " + threads + " threads");
        }
        this.bytesPerSecond = bytesPerSecond;
        this.threads = threads;
    }

    /** Starts the writers (none at a rate of 0). */
    public synchronized void start() {
        stop = false;
        if (bytesPerSecond == 0) {
            return;
        }
        for (int i = 0; i < threads; i++) {
            long seed = System.nanoTime() + i;
            running.add(Thread.ofPlatform().daemon(true).name("multifd-writer-" + i).start(() -> write(seed)));
        }
    }

    private void write(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long pages = Math.max(1, memory.byteSize() / PAGE);
        long batchNanos = (long) (BATCH * PAGE * 1e9 * threads / bytesPerSecond);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        long cpuStart = cpu.getCurrentThreadCpuTime();
        long next = System.nanoTime();
        while (!stop) {
            for (int i = 0; i < BATCH; i++) {
                long offset = Math.min(memory.byteSize() - 8, random.nextLong(pages) * PAGE + random.nextInt(512) * 8L);
                memory.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, random.nextLong());
                reporter.written(offset, 8);
            }
            writes.addAndGet(BATCH);
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
        cpuNanos.addAndGet(cpu.getCurrentThreadCpuTime() - cpuStart);
    }

    @Override
    public synchronized void pause() throws InterruptedException {
        long start = System.nanoTime();
        stop = true;
        // A writer sleeps between batches (for seconds at a low rate or a high throttle): wake it, or the pause
        // (and so the migration's downtime) waits for its sleep to end. A permit given before it parks counts too.
        for (Thread thread : running) {
            LockSupport.unpark(thread);
        }
        for (Thread thread : running) {
            thread.join();
        }
        running.clear();
        pauseTookNanos = System.nanoTime() - start;
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
    public void stopQuietly() {
        try {
            pause();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@return the largest throttle the migration asked for, percent; 0 if it never throttled} */
    public int maxThrottle() {
        return maxThrottle;
    }

    /** {@return how long the last pause took to stop every writer, in nanoseconds} */
    public long pauseTookNanos() {
        return pauseTookNanos;
    }

    /** {@return the pages written so far, over all writers} */
    public long writes() {
        return writes.get();
    }

    /**
     * {@return the writers' mean CPU time per write, in nanoseconds, over the writers that have stopped} Their
     * threads' whole CPU time (user + system: the kernel's write faults count) divided by their writes; it
     * includes the report and the few system calls of their sleeps, one per {@value #BATCH} writes.
     */
    public double cpuNanosPerWrite() {
        long count = writes.get();
        return count == 0 ? 0 : cpuNanos.get() / (double) count;
    }
}
