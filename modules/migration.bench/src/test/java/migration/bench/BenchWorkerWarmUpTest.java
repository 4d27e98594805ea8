package migration.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How a worker's warm-up ends: short transfers of the measured shape after the long passes. */
class BenchWorkerWarmUpTest {

    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    @Test
    void theDefaultWarmUpEndsWithEveryShortTransfer() {
        assertThat(BenchWorker.tailTransfers(8 * GIB, 2 * GIB)).isEqualTo(BenchWorker.WARM_UP_TAIL);
    }

    @Test
    void theShortTransfersAddAtMostASixteenthToTheWarmUp() {
        long warmUp = 2 * GIB;
        int transfers = BenchWorker.tailTransfers(warmUp, 512 * MIB);

        assertThat(transfers).isPositive();
        assertThat(transfers * BenchWorker.tailBytes(512 * MIB)).isLessThanOrEqualTo(warmUp / 16);
    }

    @Test
    void aTinyWarmUpHasNoShortTransfers() {
        assertThat(BenchWorker.tailTransfers(16 * MIB, 8 * MIB)).isZero();
        assertThat(BenchWorker.tailTransfers(0, 8 * MIB)).isZero();
    }

    @Test
    void aShortTransferMovesNoMoreThanAMeasuredOne() {
        assertThat(BenchWorker.tailBytes(MIB)).isEqualTo(MIB);
        assertThat(BenchWorker.tailBytes(2 * GIB)).isEqualTo(BenchWorker.WARM_UP_TAIL_BYTES);
    }
}
