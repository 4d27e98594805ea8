package migration.cli;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;

/**
 * Realistic memory for the demo: runs of 1 to 64 pages, a quarter of them zero pages (as in freshly booted or
 * sparse memory) and the rest incompressible random data. Fast: 64 MiB slices in parallel, 8 bytes at a time
 * from xorshift64, zero runs left untouched.
 */
final class DemoContent {

    /** IMPORTANT: the migration page size ({@code MigrationProtocol.PAGE_SIZE}). */
    static final int PAGE = 4096;
    private static final long SLICE = 64L << 20;
    private static final int LONGEST_RUN_PAGES = 64;

    private DemoContent() {
    }

    /**
     * Fills zeroed memory.
     *
     * @param memory memory that is all zero, such as fresh {@link io.channel.memory.PageMemory#allocate} memory
     * @param seed   the same seed gives the same content
     * @param stop   says to stop early (Ctrl-C): slices not yet begun are left zero
     */
    static void fill(MemorySegment memory, long seed, BooleanSupplier stop) {
        long size = memory.byteSize();
        long slices = (size + SLICE - 1) / SLICE;
        LongStream.range(0, slices).parallel().forEach(slice -> {
            if (stop.getAsBoolean()) {
                return;
            }
            long from = slice * SLICE;
            fillSlice(memory, from, Math.min(size, from + SLICE), seed * 0x9E3779B97F4A7C15L + slice);
        });
    }

    private static void fillSlice(MemorySegment memory, long from, long to, long seed) {
        SplittableRandom runs = new SplittableRandom(seed);
        long x = runs.nextLong() | 1; // xorshift64 needs a non-zero state, and then never yields 0
        long offset = from;
        while (offset < to) {
            long end = Math.min(to, offset + (1L + runs.nextInt(LONGEST_RUN_PAGES)) * PAGE);
            boolean zeroRun = runs.nextInt(4) == 0;
            if (!zeroRun) {
                long i = offset;
                for (; i + Long.BYTES <= end; i += Long.BYTES) {
                    x ^= x << 13;
                    x ^= x >>> 7;
                    x ^= x << 17;
                    memory.set(ValueLayout.JAVA_LONG_UNALIGNED, i, x);
                }
                for (; i < end; i++) {
                    memory.set(ValueLayout.JAVA_BYTE, i, (byte) (i | 1));
                }
            }
            offset = end;
        }
    }
}
