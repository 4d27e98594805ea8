package migration.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What a cold row's process had used at a moment, read off samples of its CPU time. */
class CpuTimelineTest {

    private static final long TICKS_PER_SECOND = 100;

    /** A timeline that started at 1000 ns and has its own samples, no process. */
    private static CpuTimeline samples(long... timesAndTicks) {
        CpuTimeline timeline = new CpuTimeline(ProcessHandle.current(), 1000);
        for (int i = 0; i < timesAndTicks.length; i += 2) {
            timeline.record(timesAndTicks[i], timesAndTicks[i + 1]);
        }
        return timeline;
    }

    @Test
    void betweenTwoSamplesTheTimeIsInterpolated() {
        CpuTimeline timeline = samples(2000, 10, 4000, 30);

        assertThat(timeline.secondsAt(3000, TICKS_PER_SECOND)).isCloseTo(0.20, within(1e-9));
        assertThat(timeline.secondsAt(4000, TICKS_PER_SECOND)).isCloseTo(0.30, within(1e-9));
    }

    @Test
    void beforeItsFirstSampleAProcessHadUsedWhatItUsedSinceItsStart() {
        CpuTimeline timeline = samples(2000, 10);

        assertThat(timeline.secondsAt(1500, TICKS_PER_SECOND)).isCloseTo(0.05, within(1e-9));
        assertThat(timeline.secondsAt(500, TICKS_PER_SECOND)).isZero();
    }

    @Test
    void afterItsLastSampleAProcessHadUsedWhatThatSampleSays() {
        assertThat(samples(2000, 10, 3000, 12).secondsAt(9000, TICKS_PER_SECOND)).isCloseTo(0.12, within(1e-9));
    }

    @Test
    void theTicksAreUserPlusSystemTimeWhateverTheCommandsName() {
        // proc(5): pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime ...
        String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194304 90 54321 0 0 150 25 7 8 20 0";

        assertThat(CpuTimeline.ticks(stat)).isEqualTo(175);
        assertThatThrownBy(() -> CpuTimeline.ticks("4242 java S")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a /proc/PID/stat line");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void theShellsChildIsSampledUntilItIsGone() throws Exception {
        Process shell = new ProcessBuilder(ProcessUsage.wrap(List.of("cat"))).start();
        CpuTimeline timeline = new CpuTimeline(shell.toHandle(), System.nanoTime());
        while (shell.toHandle().children().findAny().isEmpty()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }

        assertThat(timeline.sample()).as("the child runs").isTrue();
        shell.getOutputStream().close();
        assertThat(shell.waitFor()).isZero();
        assertThat(timeline.sample()).as("the child is gone").isFalse();
        assertThat(timeline.secondsAt(System.nanoTime(), TICKS_PER_SECOND)).isNotNegative();
    }
}
