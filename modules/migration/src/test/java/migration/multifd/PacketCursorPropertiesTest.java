package migration.multifd;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import migration.MigrationProtocol;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties of the sender's packet claiming: whatever the block sizes, and however many threads claim at once,
 * the claims cover every page of every block exactly once, in runs of 1 to 128 pages inside one block. Each case
 * is one seed of a {@link SplittableRandom}, so a failure names the seed that reproduces it; empty blocks and sizes
 * just around a packet's worth of pages are drawn on purpose.
 */
class PacketCursorPropertiesTest {

    private static final int MAX = MigrationProtocol.MAX_PAGES_PER_PACKET;

    /** A claim as taken. */
    private record Taken(int block, long firstPage, int count) {
    }

    /** {@return the seeds: one per case} */
    static LongStream seeds() {
        return LongStream.range(0, 300);
    }

    /** Up to {@code max} block sizes: empty, a packet's worth of pages give or take a byte, or any size. */
    private static List<Long> blockSizes(SplittableRandom random, int min, int max, long largest) {
        long packet = (long) MAX * MigrationProtocol.PAGE_SIZE;
        List<Long> sizes = new ArrayList<>();
        for (int b = random.nextInt(min, max + 1); b > 0; b--) {
            sizes.add(switch (random.nextInt(4)) {
                case 0 -> 0L;
                case 1 -> packet * random.nextInt(1, 4) + random.nextInt(-1, 2);
                default -> random.nextLong(1, largest + 1);
            });
        }
        return sizes;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void oneThreadClaimsEveryPageOnceInOrder(long seed) {
        List<Long> blockSizes = blockSizes(new SplittableRandom(seed), 0, 6, 3_000_000);
        PacketCursor cursor = new PacketCursor(blockSizes);
        List<Taken> taken = claimAll(cursor);

        assertCoversEveryPageOnce(blockSizes, taken);
        for (int i = 1; i < taken.size(); i++) {
            Taken before = taken.get(i - 1);
            Taken after = taken.get(i);
            assertThat(after.block() > before.block()
                    || after.block() == before.block() && after.firstPage() == before.firstPage() + before.count())
                    .as("seed %d: %s follows %s", seed, after, before).isTrue();
        }
        assertThat(cursor.next(new PacketCursor.Claim())).as("a claim after the last").isFalse();
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void threadsClaimingAtOnceTogetherCoverEveryPageOnce(long seed) throws InterruptedException {
        SplittableRandom random = new SplittableRandom(seed);
        List<Long> blockSizes = blockSizes(random, 1, 4, 8_000_000);
        int threads = random.nextInt(2, 5);
        PacketCursor cursor = new PacketCursor(blockSizes);
        List<List<Taken>> perThread = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            List<Taken> mine = new ArrayList<>();
            perThread.add(mine);
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                mine.addAll(claimAll(cursor));
            }));
        }
        start.countDown();
        for (Thread worker : workers) {
            worker.join(TimeUnit.SECONDS.toMillis(10));
        }

        assertCoversEveryPageOnce(blockSizes, perThread.stream().flatMap(List::stream).toList());
    }

    private static List<Taken> claimAll(PacketCursor cursor) {
        List<Taken> taken = new ArrayList<>();
        PacketCursor.Claim claim = new PacketCursor.Claim();
        while (cursor.next(claim)) {
            taken.add(new Taken(claim.block(), claim.firstPage(), claim.count()));
        }
        return taken;
    }

    private static void assertCoversEveryPageOnce(List<Long> blockSizes, List<Taken> taken) {
        List<BitSet> seen = new ArrayList<>();
        for (int b = 0; b < blockSizes.size(); b++) {
            seen.add(new BitSet());
        }
        for (Taken claim : taken) {
            assertThat(claim.block()).isBetween(0, blockSizes.size() - 1);
            long pages = MigrationProtocol.pageCount(blockSizes.get(claim.block()));
            assertThat(claim.count()).as("%s", claim).isBetween(1, MAX);
            assertThat(claim.firstPage() % MAX).as("%s starts a packet-sized run", claim).isZero();
            assertThat(claim.firstPage() + claim.count()).as("%s ends inside its block", claim)
                    .isLessThanOrEqualTo(pages);
            BitSet block = seen.get(claim.block());
            int from = (int) claim.firstPage();
            assertThat(block.get(from, from + claim.count()).isEmpty()).as("%s claimed no page twice", claim).isTrue();
            block.set(from, from + claim.count());
        }
        for (int b = 0; b < blockSizes.size(); b++) {
            long pages = MigrationProtocol.pageCount(blockSizes.get(b));
            assertThat(seen.get(b).cardinality()).as("pages of block %d claimed", b).isEqualTo((int) pages);
        }
    }
}
