package io.channel.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.FlushResult;
import org.junit.jupiter.api.Test;

class ZeroCopyCompletionsTest {

    private static ZeroCopyCompletions afterSends(int sends) {
        ZeroCopyCompletions completions = new ZeroCopyCompletions();
        for (int i = 0; i < sends; i++) {
            completions.sent();
        }
        return completions;
    }

    @Test
    void aSingleIdRangeCountsOne() {
        assertThat(ZeroCopyCompletions.rangeLength(5, 5)).isEqualTo(1);
    }

    @Test
    void aRangeAcrossTheWrapCountsModuloTwoToThe32() {
        assertThat(ZeroCopyCompletions.rangeLength(0xFFFF_FFFE, 1)).isEqualTo(4);
    }

    @Test
    void aRangeEndingAtTheTopIdCountsUnsigned() {
        assertThat(ZeroCopyCompletions.rangeLength(0x7FFF_FFFF, 0xFFFF_FFFF)).isEqualTo(0x8000_0001L);
    }

    @Test
    void mergedRangesAddUpToEverySend() {
        ZeroCopyCompletions completions = afterSends(10);

        completions.complete(0, 3, true);
        completions.complete(4, 9, true);

        assertThat(completions.completed()).isEqualTo(10);
        assertThat(completions.outstanding()).isZero();
    }

    @Test
    void copiedIdsAreCountedOnlyForRangesWithTheCopiedCode() {
        ZeroCopyCompletions completions = afterSends(5);

        completions.complete(0, 1, true);
        completions.complete(2, 4, false);

        assertThat(completions.copied()).isEqualTo(2);
    }

    @Test
    void aFlushAfterOnlyFallbackCopiesReportsAllCopied() {
        ZeroCopyCompletions completions = new ZeroCopyCompletions();
        completions.fellBack();

        assertThat(completions.pendingSinceFlush()).isTrue();
        assertThat(completions.finishFlush()).isEqualTo(FlushResult.ALL_COPIED);
        assertThat(completions.fallbacks()).isEqualTo(1);
        assertThat(completions.finishFlush()).isEqualTo(FlushResult.NOTHING_PENDING);
    }

    @Test
    void anUncopiedRangeBesideFallbackCopiesStillReportsZeroCopy() {
        ZeroCopyCompletions completions = afterSends(1);
        completions.fellBack();
        completions.complete(0, 0, false);

        assertThat(completions.finishFlush()).isEqualTo(FlushResult.ZERO_COPY);
    }

    @Test
    void aRangeLargerThanWhatIsOutstandingIsRejected() {
        ZeroCopyCompletions completions = afterSends(2);

        assertThatThrownBy(() -> completions.complete(0, 2, true))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("3 ids")
                .hasMessageContaining("only 2 sends are outstanding");
    }

    @Test
    void aFlushWithoutSendsReportsNothingPending() {
        assertThat(new ZeroCopyCompletions().finishFlush()).isEqualTo(FlushResult.NOTHING_PENDING);
    }

    @Test
    void aFlushWhoseRangesAllCarriedTheCopiedCodeReportsAllCopied() {
        ZeroCopyCompletions completions = afterSends(2);
        completions.complete(0, 1, true);

        assertThat(completions.finishFlush()).isEqualTo(FlushResult.ALL_COPIED);
    }

    @Test
    void aFlushWithOneUncopiedRangeReportsZeroCopy() {
        ZeroCopyCompletions completions = afterSends(2);
        completions.complete(0, 0, true);
        completions.complete(1, 1, false);

        assertThat(completions.finishFlush()).isEqualTo(FlushResult.ZERO_COPY);
    }

    @Test
    void aFlushStartsANewWindow() {
        ZeroCopyCompletions completions = afterSends(1);
        completions.complete(0, 0, false);
        completions.finishFlush();

        assertThat(completions.pendingSinceFlush()).isFalse();
        assertThat(completions.finishFlush()).isEqualTo(FlushResult.NOTHING_PENDING);
    }

    @Test
    void finishingAFlushWithSendsOutstandingIsRefused() {
        ZeroCopyCompletions completions = afterSends(1);

        assertThatThrownBy(completions::finishFlush).isInstanceOf(IllegalStateException.class);
    }
}
