package migration.multifd;

import static org.assertj.core.api.Assertions.assertThat;

import io.channel.ChannelStatistics;
import org.junit.jupiter.api.Test;

/** The rule that says whether zero-copy is in effect on a channel, from its counters. */
class ChannelCountersTest {

    /** Counters with the given completions, copied completions and fallback copies. */
    private static ChannelStatistics settled(long completions, long copied, long fallbacks) {
        return new ChannelStatistics(0, 0, completions, completions, copied, 0, fallbacks);
    }

    @Test
    void writesMostlyCompletedWithoutTheCopiedMarkAreInEffect() {
        assertThat(ChannelCounters.mostlyUncopied(settled(10, 4, 0))).isTrue();
    }

    @Test
    void writesTheKernelCopiedOnLoopbackAreNotInEffect() {
        assertThat(ChannelCounters.mostlyUncopied(settled(517, 517, 0))).isFalse();
    }

    @Test
    void writesMostlyCopiedByFallbackAreNotInEffectEvenIfTheKernelCopiedNoneOfTheRest() {
        // A case seen under a small locked-memory limit: 510 of 517 zero-copy writes copied because the kernel
        // refused to pin them.
        assertThat(ChannelCounters.mostlyUncopied(settled(7, 0, 510))).isFalse();
    }

    @Test
    void anEvenSplitIsNotAMajority() {
        // 7 completions without the mark against 3 marked plus 4 fallback copies.
        assertThat(ChannelCounters.mostlyUncopied(settled(10, 3, 4))).isFalse();
    }

    @Test
    void settledCountsCompletionsAndFallbacks() {
        assertThat(ChannelCounters.settled(settled(7, 0, 510))).isEqualTo(517);
    }
}
