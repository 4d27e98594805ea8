package migration.multifd;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.zip.CRC32C;
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

    /** The byte offsets of the given pages. */
    private static long[] offsets(long... pages) {
        long[] offsets = new long[pages.length];
        for (int i = 0; i < pages.length; i++) {
            offsets[i] = pages[i] * PAGE;
        }
        return offsets;
    }

    @Test
    void pagesDigestedInPartialStepsGiveEachPagesCrc() {
        long size = 10L * PAGE + 100; // a short last page
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment block = randomBlock(arena, size, 3);
            long[] pages = {1, 2, 3, 7, 10};
            long payload = 4L * PAGE + 100;
            PageDigests digests = new PageDigests(size);
            PayloadDigest digest = new PayloadDigest(new MemorySegment[] {block});
            digest.start(digests, 0, offsets(pages), pages.length);
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
            PayloadDigest digest = new PayloadDigest(new MemorySegment[] {block});
            digest.start(digests, 0, offsets(0, 1, 2, 3), 4);
            digest.advance(size);
            assertThat(digest.complete()).isTrue();
            assertThat(digests.blockCrc()).isEqualTo(crc(block));
        }
    }

    @Test
    void packetsOfTwoBlocksInTurnAreEachDigestedFromTheirOwnBlock() {
        long size = 4L * PAGE;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] blocks = {randomBlock(arena, size, 11), randomBlock(arena, size, 13)};
            PageDigests[] digests = {new PageDigests(size), new PageDigests(size)};
            PayloadDigest digest = new PayloadDigest(blocks);
            for (long page = 0; page < 4; page++) {
                for (int b = 0; b < 2; b++) {
                    digest.start(digests[b], b, offsets(page), 1);
                    digest.advance(PAGE);
                    assertThat(digest.complete()).isTrue();
                }
            }
            assertThat(digests[0].blockCrc()).isEqualTo(crc(blocks[0]));
            assertThat(digests[1].blockCrc()).isEqualTo(crc(blocks[1]));
        }
    }

    @Test
    void withoutDigestsAdvancingDoesNothingAndCountsAsComplete() {
        try (Arena arena = Arena.ofConfined()) {
            PayloadDigest digest = new PayloadDigest(new MemorySegment[] {arena.allocate(PAGE)});
            digest.start(null, 0, offsets(0), 1);
            digest.advance(PAGE);
            assertThat(digest.complete()).isTrue();
        }
    }

    @Test
    void pagesStagedInABufferAreDigestedFromTheBufferNotTheBlock() {
        long size = 6L * PAGE;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment source = randomBlock(arena, size, 7);
            MemorySegment block = arena.allocate(size); // zeros: a digest read from here would be wrong
            MemorySegment staging = arena.allocate(2L * PAGE);
            long[] pages = {1, 2, 4, 5};
            PageDigests digests = new PageDigests(size);
            PayloadDigest digest = new PayloadDigest(new MemorySegment[] {block});
            digest.start(digests, 0, offsets(pages), pages.length);
            // Two pieces of two pages each, the second read in two partial steps.
            for (int piece = 0; piece < 2; piece++) {
                long payloadFrom = piece * 2L * PAGE;
                MemorySegment.copy(source, pages[piece * 2] * PAGE, staging, 0, 2L * PAGE);
                digest.stagedIn(staging.asByteBuffer(), payloadFrom);
                digest.advance(payloadFrom + PAGE + 10);
                digest.advance(payloadFrom + 2L * PAGE);
            }
            assertThat(digest.complete()).isTrue();
            for (long page : pages) {
                assertThat(digests.crc(page)).isEqualTo(crc(source.asSlice(page * PAGE, PAGE)));
            }
        }
    }
}
