package migration.multifd;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class PageDigestsTest {

    private static int crc(MemorySegment bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes.asByteBuffer());
        return (int) crc.getValue();
    }

    @Test
    void combiningTheCrcsOfTwoRunsGivesTheCrcOfTheirConcatenation() {
        try (Arena arena = Arena.ofConfined()) {
            Random random = new Random(42);
            for (int lengthB : new int[] {1, 7, 4096, 10_000}) {
                MemorySegment both = arena.allocate(3000 + lengthB);
                byte[] bytes = new byte[(int) both.byteSize()];
                random.nextBytes(bytes);
                MemorySegment.copy(MemorySegment.ofArray(bytes), 0, both, 0, bytes.length);
                int a = crc(both.asSlice(0, 3000));
                int b = crc(both.asSlice(3000));
                assertThat(Crc32c.combine(a, b, Crc32c.shiftOperator(lengthB))).isEqualTo(crc(both));
            }
        }
    }

    @Test
    void pagesRecordedInAnyOrderFoldIntoTheBlocksCrc() {
        long size = 37 * 4096L + 123;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment block = arena.allocate(size);
            Random random = new Random(7);
            for (long i = 0; i < size; i++) {
                block.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
            }
            block.asSlice(5 * 4096L, 4096).fill((byte) 0);
            PageDigests digests = new PageDigests(size);
            CRC32C scratch = new CRC32C();
            for (long page = 37; page >= 0; page--) {
                if (page == 5) {
                    digests.recordZero(scratch, page);
                } else if (page % 2 == 0) {
                    digests.recordFromMemory(scratch, block, page);
                } else {
                    digests.record(page, crc(block.asSlice(page * 4096, Math.min(4096, size - page * 4096))));
                }
            }
            assertThat(digests.blockCrc()).isEqualTo(crc(block));
        }
    }
}
