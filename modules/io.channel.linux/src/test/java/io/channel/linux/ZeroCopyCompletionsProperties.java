package io.channel.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.FlushResult;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/**
 * Properties of zero-copy completion counting, whose ids are unsigned 32-bit and wrap
 * ({@code Documentation/networking/msg_zerocopy.rst}): any first id, any split of the sent ids into ranges.
 */
class ZeroCopyCompletionsProperties {

    @Property
    void aRangeOfNIdsHasLengthNFromAnyFirstIdAcrossTheWrap(@ForAll int first,
                                                          @ForAll @LongRange(min = 1, max = 1L << 32) long n) {
        int last = (int) (first + n - 1);

        assertThat(ZeroCopyCompletions.rangeLength(first, last)).isEqualTo(n);
    }

    @Property
    void rangesThatSplitTheSentIdsCountEverySendOnceAndTheFlushSaysWhetherAnyWasNotCopied(
            @ForAll int firstId, @ForAll @Size(min = 1, max = 40) List<@IntRange(min = 1, max = 1000) Integer> ranges,
            @ForAll long copiedBits) {
        ZeroCopyCompletions completions = new ZeroCopyCompletions();
        long total = ranges.stream().mapToLong(Integer::longValue).sum();
        for (long i = 0; i < total; i++) {
            completions.sent();
        }

        int id = firstId;
        long copied = 0;
        boolean anyUncopied = false;
        for (int i = 0; i < ranges.size(); i++) {
            int length = ranges.get(i);
            boolean copiedRange = (copiedBits >>> (i % 64) & 1) != 0;
            assertThat(completions.complete(id, id + length - 1, copiedRange)).isEqualTo(length);
            id += length;
            copied += copiedRange ? length : 0;
            anyUncopied |= !copiedRange;
        }

        assertThat(completions.outstanding()).isZero();
        assertThat(completions.completed()).isEqualTo(total);
        assertThat(completions.copied()).isEqualTo(copied);
        assertThat(completions.finishFlush()).isEqualTo(anyUncopied ? FlushResult.ZERO_COPY : FlushResult.ALL_COPIED);
        assertThat(completions.finishFlush()).isEqualTo(FlushResult.NOTHING_PENDING);
    }

    @Property
    void aRangeLongerThanWhatIsOutstandingIsRefusedAndCountsNothing(
            @ForAll @IntRange(max = 1000) int sends, @ForAll int first, @ForAll @IntRange(min = 1) int excess) {
        ZeroCopyCompletions completions = new ZeroCopyCompletions();
        for (int i = 0; i < sends; i++) {
            completions.sent();
        }
        int last = (int) (first + (long) sends + excess - 1);

        if (ZeroCopyCompletions.rangeLength(first, last) > sends) {
            assertThatThrownBy(() -> completions.complete(first, last, false))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("outstanding");
            assertThat(completions.completed()).isZero();
            assertThat(completions.outstanding()).isEqualTo(sends);
        }
    }
}
