package migration.multifd;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.zip.CRC32C;
import migration.protocol.PacketHeader;
import migration.protocol.Wire;
import org.junit.jupiter.api.Test;

class PayloadDigestTest {

    private static final int PAGE = 4096;

    private static int crc(MemorySegment bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes.asByteBuffer());
        return (int) crc.getValue();
    }

    private static MemorySegment randomBlock(Arena arena, long size, long seed) {
        MemorySegment block = arena.allocate(size);
        Random random = new Random(seed);
        for (long i = 0; i < size; i++) {
            block.set(ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
        }
        return block;
    }

    /** Offsets as a packet header holds them, after {@code base} bytes. */
    private static MemorySegment offsets(Arena arena, long base, long... pages) {
        MemorySegment header = arena.allocate(base + (long) PacketHeader.OFFSET_SIZE * pages.length, 8);
        for (int i = 0; i < pages.length; i++) {
            header.set(Wire.LONG, base + (long) PacketHeader.OFFSET_SIZE * i, pages[i] * PAGE);
        }
        return header;
    }

    @Test
    void pagesDigestedInPartialStepsGiveEachPagesCrc() {
        long size = 10L * PAGE + 100; // a short last page
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment block = randomBlock(arena, size, 3);
            long[] pages = {1, 2, 3, 7, 10};
            long payload = 4L * PAGE + 100;
            PageDigests digests = new PageDigests(size);
            PayloadDigest digest = new PayloadDigest();
            digest.start(digests, block, offsets(arena, 32, pages), 32, pages.length);
            // Steps that end mid-page, on a page's end, and one that spans several pages.
            for (long done : new long[] {1, 4095, 4096, 5000, 3 * PAGE + 7, 4L * PAGE + 50, payload}) {
                assertThat(digest.complete()).isFalse();
                digest.advance(done);
            }
            assertThat(digest.complete()).isTrue();
            for (long page = 0; page <= 10; page++) {
                if (page != 1 && page != 2 && page != 3 && page != 7 && page != 10) {
                    digests.recordFromMemory(new CRC32C(), block, page);
                }
            }
            assertThat(digests.blockCrc()).isEqualTo(crc(block));
        }
    }

    @Test
    void aPacketDigestedInOneStepIsComplete() {
        long size = 4L * PAGE;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment block = randomBlock(arena, size, 5);
            PageDigests digests = new PageDigests(size);
            PayloadDigest digest = new PayloadDigest();
            digest.start(digests, block, offsets(arena, 0, 0, 1, 2, 3), 0, 4);
            digest.advance(size);
            assertThat(digest.complete()).isTrue();
            assertThat(digests.blockCrc()).isEqualTo(crc(block));
        }
    }

    @Test
    void withoutDigestsAdvancingDoesNothingAndCountsAsComplete() {
        try (Arena arena = Arena.ofConfined()) {
            PayloadDigest digest = new PayloadDigest();
            digest.start(null, arena.allocate(PAGE), offsets(arena, 0, 0), 0, 1);
            digest.advance(PAGE);
            assertThat(digest.complete()).isTrue();
        }
    }
}
