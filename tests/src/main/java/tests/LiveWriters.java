package tests;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import migration.SourceHooks;

/**
 * The application of a live migration in a test: writer threads that write random 8-byte words of the source's
 * memory, 32 at a time, then yield or sleep a while, stopped by the pause hook. Each write is reported to {@link Reporter} after it (what
 * an application does for the {@code application} dirty tracker). The hooks called are recorded in order.
 */
public final class LiveWriters implements SourceHooks {

    /** Told of every write, on the writer threads. */
    @FunctionalInterface
    public interface Reporter {
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

    private final MemorySegment memory;
    private final int count;
    private final long pauseNanos;
    private final List<Thread> threads = new ArrayList<>();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final AtomicLong writes = new AtomicLong();
    private volatile boolean stop;

    /**
     * @param memory     the memory to write
     * @param count      the number of writer threads
     * @param pauseNanos how long a writer sleeps after each 32 words; 0 only yields
     */
    public LiveWriters(MemorySegment memory, int count, long pauseNanos) {
        this.memory = memory;
        this.count = count;
        this.pauseNanos = pauseNanos;
    }

    /**
     * Starts the writers.
     *
     * @param reporter told of every write
     */
    public void start(Reporter reporter) {
        for (int i = 0; i < count; i++) {
            long seed = 41L * (i + 1);
            threads.add(Thread.ofPlatform().daemon(true).name("live-writer-" + i).start(() -> write(seed, reporter)));
        }
    }

    private void write(long seed, Reporter reporter) {
        SplittableRandom random = new SplittableRandom(seed);
        long pages = memory.byteSize() / PAGE;
        while (!stop) {
            for (int i = 0; i < 32; i++) {
                long offset = random.nextLong(pages) * PAGE + random.nextInt(512) * 8L;
                memory.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, random.nextLong());
                reporter.written(offset, Long.BYTES);
            }
            writes.addAndGet(32);
            if (pauseNanos > 0) {
                LockSupport.parkNanos(pauseNanos);
            } else {
                Thread.yield();
            }
        }
    }

    /** Stops the writers and waits for them. Idempotent. */
    public void stopAll() throws InterruptedException {
        stop = true;
        for (Thread thread : threads) {
            thread.join();
        }
    }

    @Override
    public void pause() throws InterruptedException {
        calls.add("pause");
        stopAll();
    }

    @Override
    public void resume() {
        calls.add("resume");
    }

    @Override
    public void throttle(int percent) {
        calls.add("throttle " + percent);
    }

    /** {@return the hooks called so far, in order} */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    /** {@return the words written so far} */
    public long writes() {
        return writes.get();
    }
}
