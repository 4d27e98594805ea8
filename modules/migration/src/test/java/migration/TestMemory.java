package migration;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

/** Test content for blocks: a deterministic mix of random pages and zero pages. */
final class TestMemory {

    private TestMemory() {
    }

    /**
     * Fills {@code memory} page by page: about a third of the pages stay zero, the rest get random bytes, and
     * a few get a single non-zero byte at the very end (to catch zero detection that stops early).
     */
    static void fillMixed(MemorySegment memory, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        long size = memory.byteSize();
        for (long offset = 0; offset < size; offset += MigrationProtocol.PAGE_SIZE) {
            long length = Math.min(MigrationProtocol.PAGE_SIZE, size - offset);
            MemorySegment page = memory.asSlice(offset, length);
            int kind = random.nextInt(10);
            if (kind < 3) {
                page.fill((byte) 0);
            } else if (kind == 3) {
                page.fill((byte) 0);
                page.set(ValueLayout.JAVA_BYTE, length - 1, (byte) 1);
            } else {
                long i = 0;
                for (; i + 8 <= length; i += 8) {
                    page.set(ValueLayout.JAVA_LONG_UNALIGNED, i, random.nextLong());
                }
                for (; i < length; i++) {
                    page.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
                }
            }
        }
    }

    /** Fills {@code memory} with a repeating non-zero pattern. */
    static void fillPattern(MemorySegment memory, byte value) {
        memory.fill(value);
    }

    /** {@return the offset of the first byte that differs from {@code value}, or -1} */
    static long firstNotEqual(MemorySegment memory, byte value) {
        for (long i = 0; i < memory.byteSize(); i++) {
            if (memory.get(ValueLayout.JAVA_BYTE, i) != value) {
                return i;
            }
        }
        return -1;
    }
}
