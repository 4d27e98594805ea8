package migration.multifd;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class BandwidthLimiterTest {

    @Test
    void anUnlimitedLimiterNeverWaits() throws Exception {
        BandwidthLimiter limiter = new BandwidthLimiter(0);
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            assertThat(limiter.acquire(1 << 20, () -> false)).isTrue();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void bytesAreSpreadOutToTheRate() throws Exception {
        // At 1 MB/s the fourth 100 KB may start 300 ms after the first, less the 50 ms burst allowance.
        BandwidthLimiter limiter = new BandwidthLimiter(1_000_000);
        long start = System.nanoTime();
        for (int i = 0; i < 4; i++) {
            limiter.acquire(100_000, () -> false);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
    }

    @Test
    void theStopConditionEndsAWaitEarly() throws Exception {
        BandwidthLimiter limiter = new BandwidthLimiter(1_000);
        limiter.acquire(1_000, () -> false);
        long start = System.nanoTime();
        // The next 10 KB would take ten seconds.
        assertThat(limiter.acquire(10_000, () -> true)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
    }
}
