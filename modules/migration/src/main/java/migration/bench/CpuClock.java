package migration.bench;

import java.time.Duration;

/** This process's CPU time, user plus system over all its threads ({@code /proc/self/stat} on Linux). */
final class CpuClock {

    private CpuClock() {
    }

    /** {@return CPU nanoseconds used by this process so far; 0 where the platform does not tell} */
    static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }
}
