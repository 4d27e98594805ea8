package migration.bench;

import io.channel.memory.PageMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/** The memory a benchmark side works on, from {@link PageMemory}. */
final class BenchMemory {

    private static final long PAGE = 4096;

    private BenchMemory() {
    }

    /**
     * {@return source memory of {@code size} bytes holding incompressible data (no zero pages), every page
     * present} Filled by all processors with a SplitMix64 sequence, before any measurement starts.
     */
    static MemorySegment source(long size, Arena arena) {
        MemorySegment memory = PageMemory.allocate(size, false, arena);
        int threads = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), 8));
        long share = (size / threads + PAGE - 1) / PAGE * PAGE;
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long from = Math.min(size, t * share);
            long to = Math.min(size, from + share);
            long seed = 0x9E3779B97F4A7C15L * (t + 1);
            workers.add(Thread.ofPlatform().name("bench-fill-" + t).start(() -> fill(memory, from, to, seed)));
        }
        for (Thread worker : workers) {
            joinUninterruptibly(worker);
        }
        return memory;
    }

    /** Writes a SplitMix64 stream over {@code [from, to)}. */
    static void fill(MemorySegment memory, long from, long to, long seed) {
        long state = seed;
        long i = from;
        for (; i + 8 <= to; i += 8) {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            memory.set(ValueLayout.JAVA_LONG_UNALIGNED, i, z ^ (z >>> 31));
        }
        for (; i < to; i++) {
            memory.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + 7));
        }
    }

    /**
     * {@return destination memory: fresh (as {@link PageMemory} maps it; untouched where the provider can) or
     * pre-touched (populated, or written once per page where populating is not possible)}
     */
    static MemorySegment destination(long size, DestinationKind kind, boolean hugePages, Arena arena) {
        MemorySegment memory = PageMemory.allocate(size, hugePages, arena);
        if (kind == DestinationKind.PRE_TOUCHED && !PageMemory.populate(memory)) {
            for (long offset = 0; offset < size; offset += PAGE) {
                memory.set(ValueLayout.JAVA_BYTE, offset, (byte) 0);
            }
        }
        return memory;
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
