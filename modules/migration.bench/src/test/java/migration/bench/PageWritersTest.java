package migration.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PageWritersTest {

    private static final PageWriters.Reporter NONE = PageWriters.Reporter.NONE;

    @Test
    void writersReportEveryWriteAndThePauseStopsThem() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(1L << 20, 4096);
            AtomicLong reported = new AtomicLong();
            PageWriters writers = new PageWriters(memory, 64L << 20, 2, (offset, length) -> {
                assertThat(offset + length).isLessThanOrEqualTo(memory.byteSize());
                reported.incrementAndGet();
            });

            writers.start();
            while (writers.writes() == 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            writers.pause();
            long after = writers.writes();

            assertThat(after).isPositive();
            assertThat(reported.get()).as("reports after the pause returned").isEqualTo(after);
            assertThat(writers.cpuNanosPerWrite()).isPositive();
            assertThat(memory.asSlice(0, memory.byteSize()).mismatch(arena.allocate(memory.byteSize())))
                    .as("some byte was written").isNotEqualTo(-1);
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void thePauseWakesAWriterInTheMiddleOfItsSleep() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            // One writer at 4 KiB/s sleeps 64 s after its first batch of 64 pages: longer than this test may take.
            PageWriters writers = new PageWriters(arena.allocate(1L << 20, 4096), 4096, 1, NONE);

            writers.start();
            while (writers.writes() == 0) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
            writers.pause();

            assertThat(writers.writes()).isEqualTo(64);
        }
    }

    @Test
    void atRateZeroNoWriterRuns() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            PageWriters writers = new PageWriters(arena.allocate(1L << 20, 4096), 0, 2, NONE);

            writers.start();
            writers.pause();

            assertThat(writers.writes()).isZero();
            assertThat(writers.cpuNanosPerWrite()).isZero();
        }
    }

    @Test
    void theThrottleRemembersItsLargestValue() {
        try (Arena arena = Arena.ofConfined()) {
            PageWriters writers = new PageWriters(arena.allocate(4096), 1L << 20, 1, NONE);

            writers.throttle(20);
            writers.throttle(30);
            writers.throttle(0);

            assertThat(writers.maxThrottle()).isEqualTo(30);
        }
    }

    @Test
    void badArgumentsAreRefusedSayingWhat() {
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> new PageWriters(arena.allocate(4096), -1, 1, NONE))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1 bytes/s");
        }
    }
}
