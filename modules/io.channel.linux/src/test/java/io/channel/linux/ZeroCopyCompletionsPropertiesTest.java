package io.channel.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.FlushResult;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties of zero-copy completion counting, whose ids are unsigned 32-bit and wrap
 * ({@code Documentation/networking/msg_zerocopy.rst}): any first id, any split of the sent ids into ranges. Each
 * case is one seed of a {@link SplittableRandom}, so a failure names the seed that reproduces it; the edges (ids
 * next to the wrap, ranges of 1 and of 2^32) are drawn on purpose, not left to chance.
 */
class ZeroCopyCompletionsPropertiesTest {

    /** {@return the seeds: one per case} */
    static LongStream seeds() {
        return LongStream.range(0, 100);
    }

    /** An id, often next to 0 or to the 2^32 wrap, where mistakes with signed arithmetic show. */
    private static int id(SplittableRandom random) {
        return switch (random.nextInt(4)) {
            case 0 -> random.nextInt(-8, 8);
            case 1 -> Integer.MAX_VALUE - random.nextInt(8);
            case 2 -> Integer.MIN_VALUE + random.nextInt(8);
            default -> random.nextInt();
        };
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aRangeOfNIdsHasLengthNFromAnyFirstIdAcrossTheWrap(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int first = id(random);
        long n = switch (random.nextInt(3)) {
            case 0 -> 1;
            case 1 -> 1L << 32;
            default -> random.nextLong(1, (1L << 32) + 1);
        };
        int last = (int) (first + n - 1);

        assertThat(ZeroCopyCompletions.rangeLength(first, last)).as("seed %d: [%d, %d]", seed, first, last)
                .isEqualTo(n);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void rangesThatSplitTheSentIdsCountEverySendOnceAndTheFlushSaysWhetherAnyWasNotCopied(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] ranges = random.ints(random.nextInt(1, 41), 1, 1001).toArray();
        long total = 0;
        for (int length : ranges) {
            total += length;
        }
        ZeroCopyCompletions completions = new ZeroCopyCompletions();
        for (long i = 0; i < total; i++) {
            completions.sent();
        }

        int id = id(random);
        long copied = 0;
        boolean anyUncopied = false;
        for (int length : ranges) {
            boolean copiedRange = random.nextBoolean();
            assertThat(completions.complete(id, id + length - 1, copiedRange)).as("seed %d", seed).isEqualTo(length);
            id += length;
            copied += copiedRange ? length : 0;
            anyUncopied |= !copiedRange;
        }

        assertThat(completions.outstanding()).as("seed %d", seed).isZero();
        assertThat(completions.completed()).as("seed %d", seed).isEqualTo(total);
        assertThat(completions.copied()).as("seed %d", seed).isEqualTo(copied);
        assertThat(completions.finishFlush()).as("seed %d", seed)
                .isEqualTo(anyUncopied ? FlushResult.ZERO_COPY : FlushResult.ALL_COPIED);
        assertThat(completions.finishFlush()).as("seed %d", seed).isEqualTo(FlushResult.NOTHING_PENDING);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aRangeLongerThanWhatIsOutstandingIsRefusedAndCountsNothing(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int sends = random.nextInt(0, 1001);
        int first = id(random);
        long length = sends + random.nextLong(1, (1L << 32) - sends + 1);
        ZeroCopyCompletions completions = new ZeroCopyCompletions();
        for (int i = 0; i < sends; i++) {
            completions.sent();
        }
        int last = (int) (first + length - 1);

        assertThatThrownBy(() -> completions.complete(first, last, false)).as("seed %d", seed)
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("outstanding");
        assertThat(completions.completed()).as("seed %d", seed).isZero();
        assertThat(completions.outstanding()).as("seed %d", seed).isEqualTo(sends);
    }
}
