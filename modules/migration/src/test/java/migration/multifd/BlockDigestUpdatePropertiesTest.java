package migration.multifd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import migration.MigrationProtocol;
import org.junit.jupiter.api.Test;

class BlockDigestUpdatePropertiesTest {

    private static final int PAGE = MigrationProtocol.PAGE_SIZE;

    @Test
    void theUpdatedDigestEqualsTheFullFoldAfterArbitraryRewrites() {
        SplittableRandom random = new SplittableRandom(20261126);
        for (int trial = 0; trial < 500; trial++) {
            int pages = 1 + random.nextInt(trial < 50 ? 4 : 3000);
            long size = (long) (pages - 1) * PAGE + 1 + random.nextInt(PAGE);
            PageDigests digests = new PageDigests(size);
            for (int p = 0; p < pages; p++) {
                digests.record(p, random.nextInt());
            }
            int before = digests.blockCrc();
            TreeSet<Long> rewritten = rewrites(random, pages);
            BlockDigestUpdate update = new BlockDigestUpdate(size);
            for (long page : rewritten) {
                int old = digests.crc(page);
                int now = random.nextInt();
                digests.record(page, now);
                update.rewritten(page, old, now);
            }

            assertThat(update.apply(before)).as("trial %d: %d pages, %d rewritten", trial, pages, rewritten.size())
                    .isEqualTo(digests.blockCrc());
        }
    }

    @Test
    void theUpdatedDigestIsTheCrc32cOfTheRewrittenBytes() {
        SplittableRandom random = new SplittableRandom(7);
        CRC32C scratch = new CRC32C();
        try (Arena arena = Arena.ofConfined()) {
            long size = 257L * PAGE - 100;
            MemorySegment memory = arena.allocate(size);
            fill(memory, random);
            PageDigests digests = new PageDigests(size);
            long pages = MigrationProtocol.pageCount(size);
            for (long p = 0; p < pages; p++) {
                digests.recordFromMemory(scratch, memory, p);
            }
            int before = digests.blockCrc();
            BlockDigestUpdate update = new BlockDigestUpdate(size);
            for (long page : rewrites(random, (int) pages)) {
                int old = digests.crc(page);
                long offset = page * PAGE;
                fill(memory.asSlice(offset, Math.min(PAGE, size - offset)), random);
                digests.recordFromMemory(scratch, memory, page);
                update.rewritten(page, old, digests.crc(page));
            }

            assertThat(update.apply(before)).isEqualTo(Crc32c.of(scratch, memory.asByteBuffer()));
        }
    }

    @Test
    void noRewriteLeavesTheDigest() {
        assertThat(new BlockDigestUpdate(10L * PAGE).apply(0x1234_5678)).isEqualTo(0x1234_5678);
    }

    @Test
    void pagesOutOfOrderOrOutsideTheBlockAreRefused() {
        BlockDigestUpdate update = new BlockDigestUpdate(4L * PAGE);
        update.rewritten(2, 1, 2);

        assertThatThrownBy(() -> update.rewritten(1, 1, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("page 1 is not after page 2 in a block of 4 pages");
        assertThatThrownBy(() -> update.rewritten(4, 1, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("page 4 is not after page 2 in a block of 4 pages");
    }

    /** Some pages: none, all, runs, single pages, often the first and the last. */
    private static TreeSet<Long> rewrites(SplittableRandom random, int pages) {
        TreeSet<Long> set = new TreeSet<>();
        switch (random.nextInt(4)) {
            case 0 -> {
                for (long p = 0; p < pages; p++) {
                    set.add(p);
                }
            }
            case 1 -> {
                long start = random.nextInt(pages);
                for (long p = start; p < Math.min(pages, start + 1 + random.nextInt(200)); p++) {
                    set.add(p);
                }
            }
            default -> {
                int count = random.nextInt(Math.min(pages, 64) + 1);
                for (int i = 0; i < count; i++) {
                    set.add((long) random.nextInt(pages));
                }
            }
        }
        if (random.nextBoolean()) {
            set.add((long) pages - 1);
        }
        if (random.nextBoolean()) {
            set.add(0L);
        }
        return set;
    }

    private static void fill(MemorySegment segment, SplittableRandom random) {
        for (long i = 0; i < segment.byteSize(); i++) {
            segment.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) random.nextInt());
        }
    }
}
