package migration.bench;

import io.channel.memory.DirtyPages;
import io.channel.memory.DirtyTracker;
import io.channel.memory.DirtyTrackers;
import io.channel.memory.PageMemory;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * The micro-measurements of {@code multifd bench --live}, made on a source worker's memory before its
 * migration: what one dirty tracker costs on its own, with no migration running.
 *
 * <p>Writes: {@value #SAMPLES} samples of {@code n} first writes (8 bytes each) to distinct pages never written
 * since the memory was filled, timed as a whole by the writing thread's CPU time (user + system, so the kernel's
 * fault handling counts and time the thread spent preempted on a busy machine does not) and divided by
 * {@code n}; first on the untracked memory (before
 * any tracker touched it), then with the tracker armed, each sample right after a sync, so that every write is
 * the first to its page since the tracker re-armed it (for the kernel tracker: one write-protect fault resolved
 * in the kernel). With the {@code application} tracker a tracked write includes its {@code markDirty} report.
 * Pages follow a stride through the whole region, so that neither the caches nor the TLB hold them. Before
 * each kind, the same loop runs {@value #WARM_UP_CALLS} times over {@value #WARM_UP_WRITES} pages of their own
 * (also tracked, and reporting, before the tracked samples), so that the samples run code the JIT compiled
 * with the right profile rather than the interpreter; then a first sample of each kind is run and dropped.
 *
 * <p>Syncs: the wall and this thread's CPU time of each sync that follows a sample (so {@code n} pages are
 * dirty), and of one sync with nothing written; the arm, once.
 *
 * <p>The platform's fault floor: the same samples, warm-up and CPU clock for a first <em>read</em> of distinct
 * pages of fresh memory from {@link PageMemory} that nothing ever touched: the kernel maps its shared zero page
 * (a read fault with nothing to allocate, copy or zero: the cheapest page fault there is). A tracked first write
 * is a write-protect fault, so it cannot cost less than this; on a VM whose faults are slow (nested
 * virtualisation) the floor says how much of the write's cost is the platform's. Not measured where the memory
 * provider cannot hand out untouched memory (it would time no fault). With transparent huge pages set to
 * {@code always} the kernel may map a huge zero page instead, and the floor reads low.
 */
final class TrackerProbe {

    /** Samples of each kind, after the dropped one. */
    static final int SAMPLES = 5;
    /** First writes per sample, at most. */
    static final int WRITES = 4096;
    private static final long PAGE = DirtyTracker.PAGE_SIZE;
    /** Calls of the write loop before the samples: past C2's compile threshold for the loop's method. */
    static final int WARM_UP_CALLS = 6000;
    /** Pages each warm-up call writes. */
    static final int WARM_UP_WRITES = 64;
    /** Page ranges of the stride walk: the dropped and the kept samples of both kinds, and the warm-up's. */
    static final int RANGES = 2 * (SAMPLES + 1) + 1;

    /**
     * What one tracker cost.
     *
     * @param tracker             the tracker that ran ({@link DirtyTracker#describe()}: the provider, and why it
     *                            stood in for the one asked for if it did)
     * @param pages               first writes per sample (and pages dirty at each timed sync)
     * @param armMillis           arming the whole region
     * @param idleSyncMillis      a sync with nothing written
     * @param syncMillis          the median sync with {@code pages} pages written, wall time
     * @param syncCpuMillis       the same syncs' median CPU time of the syncing thread (user + system)
     * @param trackedWriteNanos   the median CPU time of a first write to a page after a sync, tracked
     * @param untrackedWriteNanos the median CPU time of a first write to a page of the untracked memory
     * @param faultFloorNanos     the median CPU time of a first read of a never-touched page (a zero-page read
     *                            fault), or NaN where the memory provider hands out no untouched memory
     */
    record Cost(String tracker, int pages, double armMillis, double idleSyncMillis, double syncMillis,
                double syncCpuMillis, double trackedWriteNanos, double untrackedWriteNanos, double faultFloorNanos) {

        /** {@return how many times a tracked first write costs an untracked one} */
        double slowdown() {
            return untrackedWriteNanos > 0 ? trackedWriteNanos / untrackedWriteNanos : Double.NaN;
        }
    }

    private TrackerProbe() {
    }

    /**
     * Measures one tracker on a region whose every page is present and was written once.
     *
     * @param memory  the region, at least {@code RANGES * WARM_UP_WRITES} pages; its contents change
     * @param tracker the provider's name, as {@link DirtyTrackers#track(MemorySegment, String)} takes it
     * @return the costs
     * @throws IOException if the tracker failed, or a sync missed pages that were written
     */
    static Cost measure(MemorySegment memory, String tracker) throws IOException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long pages = memory.byteSize() / PAGE;
        int n = (int) Math.min(WRITES, pages / RANGES);
        if (n < WARM_UP_WRITES) {
            throw new IllegalArgumentException("the tracker probe needs at least " + RANGES * WARM_UP_WRITES
                    + " pages, but the memory has " + pages);
        }
        long stride = stride(pages);
        long[] warmUp = Arrays.copyOf(offsets(RANGES - 1, n, pages, stride), WARM_UP_WRITES);
        warmUp(threads, memory, warmUp, null);
        int sample = 0;
        double[] untracked = new double[SAMPLES];
        for (int s = 0; s <= SAMPLES; s++) {
            long nanos = timeWrites(threads, memory, offsets(sample++, n, pages, stride), null);
            if (s > 0) {
                untracked[s - 1] = nanos / (double) n;
            }
        }
        try (DirtyTracker t = DirtyTrackers.track(memory, tracker)) {
            DirtyTracker report = t.providerName().equals("application") ? t : null;
            long start = System.nanoTime();
            t.arm();
            double arm = (System.nanoTime() - start) / 1e6;
            warmUp(threads, memory, warmUp, report);
            t.sync();
            start = System.nanoTime();
            t.sync();
            double idle = (System.nanoTime() - start) / 1e6;
            double[] tracked = new double[SAMPLES];
            double[] sync = new double[SAMPLES];
            double[] syncCpu = new double[SAMPLES];
            for (int s = 0; s <= SAMPLES; s++) {
                long[] offsets = offsets(sample++, n, pages, stride);
                long nanos = timeWrites(threads, memory, offsets, report);
                long cpu = threads.getCurrentThreadCpuTime();
                start = System.nanoTime();
                DirtyPages dirty = t.sync();
                long wall = System.nanoTime() - start;
                cpu = threads.getCurrentThreadCpuTime() - cpu;
                if (dirty.dirtyPageCount() < n || !dirty.contains(offsets[0] / PAGE)) {
                    throw new IOException("dirty tracker " + t.describe() + " reported " + dirty.dirtyPageCount()
                            + " dirty pages after " + n + " pages were written");
                }
                if (s > 0) {
                    tracked[s - 1] = nanos / (double) n;
                    sync[s - 1] = wall / 1e6;
                    syncCpu[s - 1] = cpu / 1e6;
                }
            }
            return new Cost(t.describe(), n, arm, idle, median(sync), median(syncCpu), median(tracked),
                    median(untracked), zeroPageReadNanos(threads, n));
        }
    }

    /**
     * {@return the median CPU nanoseconds of a first read of a never-touched page of fresh memory, or NaN where
     * the memory provider hands out no untouched memory} Samples of {@code n} pages along the same stride walk as
     * the writes, over a region of their own, whose last range the warm-up reads first, so that the loop runs compiled.
     */
    static double zeroPageReadNanos(ThreadMXBean threads, int n) {
        if (!PageMemory.provider().allocatesUntouched()) {
            return Double.NaN;
        }
        long pages = (long) RANGES * n;
        long stride = stride(pages);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fresh = PageMemory.allocate(pages * PAGE, false, arena);
            long[] own = Arrays.copyOf(offsets(RANGES - 1, n, pages, stride), WARM_UP_WRITES);
            for (int i = 0; i < WARM_UP_CALLS; i++) {
                timeReads(threads, fresh, own);
            }
            double[] reads = new double[SAMPLES];
            for (int s = 0; s <= SAMPLES; s++) {
                long nanos = timeReads(threads, fresh, offsets(s, n, pages, stride));
                if (s > 0) {
                    reads[s - 1] = nanos / (double) n;
                }
            }
            return median(reads);
        }
    }

    /** Where the reads' sum goes, so that the JIT cannot drop them. */
    private static volatile long sink;

    /** Reads 8 bytes at each offset; returns the CPU nanoseconds this thread spent. */
    private static long timeReads(ThreadMXBean threads, MemorySegment memory, long[] offsets) {
        long start = threads.getCurrentThreadCpuTime();
        long sum = 0;
        for (long offset : offsets) {
            sum += memory.get(ValueLayout.JAVA_LONG_UNALIGNED, offset);
        }
        long nanos = threads.getCurrentThreadCpuTime() - start;
        sink = sum;
        return nanos;
    }

    private static void warmUp(ThreadMXBean threads, MemorySegment memory, long[] offsets, DirtyTracker report) {
        for (int i = 0; i < WARM_UP_CALLS; i++) {
            timeWrites(threads, memory, offsets, report);
        }
    }

    /**
     * Writes 8 bytes at each offset (and reports it, when given a tracker); returns the CPU nanoseconds this
     * thread spent.
     */
    private static long timeWrites(ThreadMXBean threads, MemorySegment memory, long[] offsets, DirtyTracker report) {
        long start = threads.getCurrentThreadCpuTime();
        for (long offset : offsets) {
            memory.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, offset ^ start);
            if (report != null) {
                report.markDirty(offset, Long.BYTES);
            }
        }
        return threads.getCurrentThreadCpuTime() - start;
    }

    /**
     * {@return the offsets of sample {@code sample}: pages {@code n * sample} to {@code n * (sample + 1) - 1} of
     * the stride walk, distinct over all samples}
     */
    static long[] offsets(int sample, int n, long pages, long stride) {
        long[] offsets = new long[n];
        for (int i = 0; i < n; i++) {
            long step = (long) sample * n + i;
            offsets[i] = Math.multiplyExact(step, stride) % pages * PAGE;
        }
        return offsets;
    }

    /** {@return an odd step near a third of the pages that shares no factor with their count: a full walk} */
    static long stride(long pages) {
        long stride = Math.max(1, pages / 3) | 1;
        while (gcd(stride, pages) != 1) {
            stride += 2;
        }
        return stride;
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
