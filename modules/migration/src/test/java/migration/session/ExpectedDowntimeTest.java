package migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The expected downtime from given numbers: the pages left at the bandwidth, plus the last sync. */
class ExpectedDowntimeTest {

    private static final long MIB = 1L << 20;

    @Test
    void thePagesLeftTakeTheirBytesOverTheBandwidthRoundedUp() {
        ExpectedDowntime expected = ExpectedDowntime.of(100 * MIB, 1000 * MIB, 0, 0);

        assertThat(expected.variableMillis()).isEqualTo(100);
        assertThat(ExpectedDowntime.of(1, 1000 * MIB, 0, 0).variableMillis()).isEqualTo(1);
    }

    @Test
    void theSmallestSyncAndTheShortestRoundTripSoFarAreAddedAsTheFixedPart() {
        ExpectedDowntime expected = ExpectedDowntime.of(100 * MIB, 1000 * MIB, 3_200_000, 500_000);

        assertThat(expected.fixedMillis()).isEqualTo(4);
        assertThat(expected.millis()).isEqualTo(104);
    }

    @Test
    void nothingDirtyLeavesOnlyTheLastSync() {
        assertThat(ExpectedDowntime.of(0, 0, 450_000_000, 0).millis()).isEqualTo(450);
    }

    @Test
    void dirtyPagesWithNoBandwidthMeasuredCannotBeExpectedToEnd() {
        assertThat(ExpectedDowntime.of(4096, 0, 1_000_000, 0).millis()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void theWritesDuringTheSyncAreLeftForTheLastRound() {
        // 10 MiB found; 100 MiB/s dirtied while a 500 ms sync ran: 50 MiB more.
        assertThat(ExpectedDowntime.bytesLeft(10 * MIB, 100 * MIB, 500_000_000L)).isEqualTo(60 * MIB);
        assertThat(ExpectedDowntime.bytesLeft(10 * MIB, 0, 500_000_000L)).isEqualTo(10 * MIB);
    }
}
