package migration;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Writer threads that dirty random pages of a block while it migrates, and the {@link SourceHooks} that stop,
 * restart and throttle them. A writer writes one random long into a random page, {@code burst} times, then
 * yields for {@code pauseNanos} (0: never), so two settings give two dirty rates. The hooks record every call.
 */
final class TestWriters implements SourceHooks {

    private final MemorySegment memory;
    private final int threads;
    private final int burst;
    private final long pauseNanos;
    private final List<Thread> running = new ArrayList<>();
    private volatile boolean stop;
    final AtomicLong writes = new AtomicLong();
    final AtomicInteger pauses = new AtomicInteger();
    final AtomicInteger resumes = new AtomicInteger();
    final List<Integer> throttles = new CopyOnWriteArrayList<>();
    /** The thread each hook ran on, in order: "pause:migration-source", ... */
    final List<String> calls = new CopyOnWriteArrayList<>();
    private volatile int throttle;
    /** While set, the writers run but write nothing (so that they can be started before what they report to). */
    volatile boolean hold;
    /** When set, the pause hook lets the writers write (and report) at least once before it stops them. */
    volatile boolean writeBeforePause;
    /** Told of every write (offset, length) when set: an application that reports what it writes. */
    volatile java.util.function.BiConsumer<Long, Long> reporter;

    TestWriters(MemorySegment memory, int threads, int burst, long pauseNanos) {
        this.memory = memory;
        this.threads = threads;
        this.burst = burst;
        this.pauseNanos = pauseNanos;
    }

    /** Starts the writers. */
    synchronized TestWriters start() {
        stop = false;
        for (int t = 0; t < threads; t++) {
            long seed = 7919L * (running.size() + 1);
            Thread thread = Thread.ofPlatform().name("test-writer-" + t).daemon(true).start(() -> write(seed));
            running.add(thread);
        }
        return this;
    }

    private void write(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long pages = memory.byteSize() / MigrationProtocol.PAGE_SIZE;
        while (!stop) {
            if (hold) {
                Thread.onSpinWait();
                continue;
            }
            for (int i = 0; i < burst; i++) {
                long offset = random.nextLong(pages) * MigrationProtocol.PAGE_SIZE + random.nextInt(512) * 8L;
                memory.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, random.nextLong());
                var report = reporter;
                if (report != null) {
                    report.accept(offset, 8L);
                }
            }
            writes.addAndGet(burst);
            int percent = throttle;
            if (percent > 0) {
                LockSupport.parkNanos(percent * 10_000L);
            }
            if (pauseNanos > 0) {
                LockSupport.parkNanos(pauseNanos);
            } else {
                Thread.yield();
            }
        }
    }

    /** Stops the writers and waits until none writes any more. */
    synchronized void stopAll() throws InterruptedException {
        stop = true;
        for (Thread thread : running) {
            thread.join();
        }
        running.clear();
    }

    @Override
    public void pause() throws Exception {
        calls.add("pause:" + Thread.currentThread().getName());
        pauses.incrementAndGet();
        if (writeBeforePause) {
            // The last sync then finds at least this write, however the threads were scheduled.
            while (writes.get() == 0) {
                LockSupport.parkNanos(1_000_000);
            }
        }
        stopAll();
    }

    @Override
    public void resume() {
        calls.add("resume:" + Thread.currentThread().getName());
        resumes.incrementAndGet();
    }

    @Override
    public void throttle(int percent) {
        calls.add("throttle " + percent + ":" + Thread.currentThread().getName());
        throttles.add(percent);
        throttle = percent;
    }
}
