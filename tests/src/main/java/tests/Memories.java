package tests;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/** Test memory that looks like a real workload: incompressible pages mixed with runs of zero pages. */
public final class Memories {

    private static final long PAGE = 4096;

    private Memories() {
    }

    /**
     * Fills a segment: about one page in four is zero (in short runs), the rest random; the same seed gives
     * the same content.
     *
     * @param memory the segment
     * @param seed   the content's seed
     */
    public static void fill(MemorySegment memory, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long size = memory.byteSize();
        long offset = 0;
        while (offset < size) {
            long page = Math.min(PAGE, size - offset);
            boolean zero = random.nextInt(4) == 0;
            if (zero) {
                memory.asSlice(offset, page).fill((byte) 0);
            } else {
                long i = 0;
                for (; i + 8 <= page; i += 8) {
                    memory.set(ValueLayout.JAVA_LONG_UNALIGNED, offset + i, random.nextLong());
                }
                for (; i < page; i++) {
                    memory.set(ValueLayout.JAVA_BYTE, offset + i, (byte) random.nextInt());
                }
            }
            offset += page;
        }
    }
}
