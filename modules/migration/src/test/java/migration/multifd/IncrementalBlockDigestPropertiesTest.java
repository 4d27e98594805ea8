package migration.multifd;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.zip.CRC32C;
import migration.MigrationProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The incremental block digest ({@link IncrementalBlockDigest}) against the truth: whatever rounds arrive,
 * in whatever order, with folds at whatever points (mid-round, at round ends, never), the digest after the last
 * round is the CRC32C of the block's final bytes and the full fold of the final page CRCs. Each case is one seed
 * of a {@link SplittableRandom}, so a failure names the seed that reproduces it; one-page blocks, short last pages,
 * pages never received and pages received again with the same bytes are drawn on purpose.
 */
class IncrementalBlockDigestPropertiesTest {

    private static final int PAGE = MigrationProtocol.PAGE_SIZE;

    /** {@return the seeds: one per case} */
    static LongStream seeds() {
        return LongStream.range(0, 200);
    }

    /** A block as the receivers see it: its memory, what arrived, and the digest under test. */
    private record Block(MemorySegment memory, PageBitmap received, IncrementalBlockDigest digest, long pages) {

        static Block of(MemorySegment memory) {
            long pages = MigrationProtocol.pageCount(memory.byteSize());
            return new Block(memory, new PageBitmap(pages), new IncrementalBlockDigest(memory.byteSize()), pages);
        }

        /** A page arrives with new bytes (or, when {@code same}, its present bytes again), as a receiver does it. */
        void receive(long page, SplittableRandom random, boolean same, CRC32C scratch) {
            MemorySegment bytes = page(page);
            if (!same) {
                byte[] fresh = new byte[(int) bytes.byteSize()];
                random.nextBytes(fresh);
                MemorySegment.copy(MemorySegment.ofArray(fresh), 0, bytes, 0, fresh.length);
            }
            digest.pages().recordFromMemory(scratch, memory, page);
            received.setRange(page, 1);
            digest.changed(page, 1);
        }

        /** {@return the digest at the end, as the destination takes it after the last round} */
        int crc32c() {
            return digest.crc32c(memory, received);
        }

        MemorySegment page(long page) {
            long offset = page * PAGE;
            return memory.asSlice(offset, Math.min(PAGE, memory.byteSize() - offset));
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void theDigestAfterRandomRoundsAndFoldsIsTheCrc32cOfTheFinalBytes(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        CRC32C scratch = new CRC32C();
        int pages = seed % 10 == 0 ? 1 : 1 + random.nextInt(seed % 3 == 0 ? 4 : 700);
        long size = (long) (pages - 1) * PAGE + (seed % 2 == 0 ? PAGE : 1 + random.nextInt(PAGE));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(size);
            fillRandom(memory, random);
            Block block = Block.of(memory);
            int rounds = 1 + random.nextInt(6);
            for (int round = 1; round <= rounds; round++) {
                List<Long> sent = roundPages(random, pages, round, seed);
                Collections.shuffle(sent, new Random(random.nextLong()));
                // Folds at random points of the round, as the control thread does while pages still arrive.
                int foldEvery = 1 + random.nextInt(Math.max(1, sent.size()));
                for (int i = 0; i < sent.size(); i++) {
                    block.receive(sent.get(i), random, random.nextInt(8) == 0, scratch);
                    if (random.nextInt(foldEvery) == 0) {
                        block.digest().foldChanges();
                    }
                }
                if (round < rounds && random.nextBoolean()) {
                    block.digest().foldChanges();
                }
            }

            int digest = block.crc32c();

            assertThat(digest).as("seed %d: %d pages, %d rounds", seed, pages, rounds)
                    .isEqualTo(Crc32c.of(scratch, memory.asByteBuffer()))
                    .isEqualTo(fullFold(memory, scratch));
        }
    }

    @Test
    void aDigestNeverFoldedBeforeTheEndIsTheCrc32cOfTheBytes() {
        SplittableRandom random = new SplittableRandom(3);
        CRC32C scratch = new CRC32C();
        try (Arena arena = Arena.ofConfined()) {
            Block block = Block.of(filled(arena, 33L * PAGE - 5, random));
            for (long page = 0; page < block.pages(); page++) {
                block.receive(page, random, true, scratch);
            }

            assertThat(block.crc32c()).isEqualTo(Crc32c.of(scratch, block.memory().asByteBuffer()));
        }
    }

    @Test
    void pagesThatNeverArrivedAreReadFromMemory() {
        SplittableRandom random = new SplittableRandom(5);
        CRC32C scratch = new CRC32C();
        try (Arena arena = Arena.ofConfined()) {
            Block block = Block.of(filled(arena, 130L * PAGE, random));
            block.receive(1, random, false, scratch);
            block.receive(64, random, false, scratch);
            block.digest().foldChanges();

            assertThat(block.crc32c()).isEqualTo(Crc32c.of(scratch, block.memory().asByteBuffer()));
        }
    }

    @Test
    void aSecondCallGivesTheSameDigest() {
        SplittableRandom random = new SplittableRandom(11);
        try (Arena arena = Arena.ofConfined()) {
            Block block = Block.of(filled(arena, 10L * PAGE, random));
            block.receive(3, random, false, new CRC32C());
            int first = block.crc32c();

            assertThat(block.crc32c()).isEqualTo(first);
        }
    }

    @Test
    void foldingWithNothingMarkedTakesNoPage() {
        assertThat(new IncrementalBlockDigest(8L * PAGE).foldChanges()).isZero();
    }

    /**
     * The control thread folds while receivers record: two threads receive random pages of their own share (as
     * channels do, a page on one channel at a time) while this one folds over and over; the digest at the end is
     * exact whatever the interleaving was.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void foldingWhileReceiversRecordLosesNoChange() throws InterruptedException {
        SplittableRandom seeds = new SplittableRandom(17);
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(512L * PAGE + 77);
            fillRandom(memory, seeds);
            Block block = Block.of(memory);
            List<Thread> receivers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int share = r;
                long threadSeed = seeds.nextLong();
                receivers.add(Thread.ofPlatform().start(() -> {
                    SplittableRandom random = new SplittableRandom(threadSeed);
                    CRC32C scratch = new CRC32C();
                    for (int i = 0; i < 20_000; i++) {
                        long page = 2L * random.nextInt((int) (block.pages() + 1 - share) / 2) + share;
                        block.receive(page, random, false, scratch);
                    }
                }));
            }
            long taken = 0;
            while (receivers.stream().anyMatch(Thread::isAlive)) {
                taken += block.digest().foldChanges();
            }
            for (Thread receiver : receivers) {
                receiver.join();
            }

            assertThat(block.crc32c()).as("after folds that took %d pages", taken)
                    .isEqualTo(Crc32c.of(new CRC32C(), memory.asByteBuffer()));
        }
    }

    /** Round 1: every page (now and then with some left out, as never received); later rounds: some pages. */
    private static List<Long> roundPages(SplittableRandom random, int pages, int round, long seed) {
        List<Long> sent = new ArrayList<>();
        boolean gaps = round == 1 && seed % 7 == 3;
        for (long page = 0; page < pages; page++) {
            boolean include = round == 1 ? !gaps || random.nextInt(4) != 0 : random.nextInt(5) == 0;
            if (include) {
                sent.add(page);
            }
        }
        if (round > 1 && random.nextBoolean() && !sent.contains((long) pages - 1)) {
            sent.add((long) pages - 1); // the block's last page, which may be short
        }
        return sent;
    }

    private static int fullFold(MemorySegment memory, CRC32C scratch) {
        PageDigests digests = new PageDigests(memory.byteSize());
        for (long page = 0; page < MigrationProtocol.pageCount(memory.byteSize()); page++) {
            digests.recordFromMemory(scratch, memory, page);
        }
        return digests.blockCrc();
    }

    private static MemorySegment filled(Arena arena, long size, SplittableRandom random) {
        MemorySegment memory = arena.allocate(size);
        fillRandom(memory, random);
        return memory;
    }

    private static void fillRandom(MemorySegment memory, SplittableRandom random) {
        byte[] bytes = new byte[(int) memory.byteSize()];
        random.nextBytes(bytes);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, memory, 0, bytes.length);
    }
}
