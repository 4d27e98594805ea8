package migration.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.channel.memory.PageMemory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The tracker probe's pages, and one probe of a tracker that works everywhere. */
class TrackerProbeTest {

    @Test
    void theSamplesWritePagesNoOtherSampleWrites() {
        long pages = 3 * 1000;
        long stride = TrackerProbe.stride(pages);
        Set<Long> offsets = new HashSet<>();
        int n = 200;
        for (int sample = 0; sample < TrackerProbe.RANGES; sample++) {
            for (long offset : TrackerProbe.offsets(sample, n, pages, stride)) {
                assertThat(offset % 4096).isZero();
                assertThat(offset / 4096).isBetween(0L, pages - 1);
                offsets.add(offset);
            }
        }
        assertThat(offsets).hasSize(TrackerProbe.RANGES * n);
    }

    @Test
    void theStrideSharesNoFactorWithThePageCount() {
        for (long pages : new long[] {3, 4096, 3 * 5 * 7 * 11, 524288, 1_000_001}) {
            long stride = TrackerProbe.stride(pages);
            assertThat(java.math.BigInteger.valueOf(stride).gcd(java.math.BigInteger.valueOf(pages)).longValue())
                    .as("gcd of stride %d and %d pages", stride, pages).isEqualTo(1);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theApplicationTrackerIsMeasuredWithItsReportsAndSeesEveryWrite() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(4L << 20, 4096);

            TrackerProbe.Cost cost = TrackerProbe.measure(memory, "application");

            assertThat(cost.tracker()).isEqualTo("application");
            assertThat(cost.pages()).isEqualTo((int) ((4L << 20) / 4096 / TrackerProbe.RANGES));
            assertThat(cost.armMillis()).isNotNegative();
            assertThat(cost.syncMillis()).isNotNegative();
            assertThat(cost.trackedWriteNanos()).isNotNegative();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theFaultFloorIsTimedOnUntouchedMemoryOnlyWhereTheProviderHandsItOut() {
        double floor = TrackerProbe.zeroPageReadNanos(java.lang.management.ManagementFactory.getThreadMXBean(), 64);

        if (PageMemory.provider().allocatesUntouched()) {
            assertThat(floor).as("CPU ns of a zero-page read fault").isPositive();
        } else {
            assertThat(floor).isNaN();
        }
    }
}
