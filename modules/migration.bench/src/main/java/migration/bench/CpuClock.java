package migration.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;

/**
 * This process's CPU time, user plus system over all its threads ({@code /proc/self/stat} on Linux), and the
 * time its JIT compilers spent compiling.
 */
final class CpuClock {

    private CpuClock() {
    }

    /** {@return CPU nanoseconds used by this process so far; 0 where the platform does not tell} */
    static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /**
     * {@return milliseconds the JIT compilers have spent so far (HotSpot's approximate, accumulated figure);
     * 0 where the JVM does not tell}
     */
    static long compilationMillis() {
        CompilationMXBean compiler = ManagementFactory.getCompilationMXBean();
        return compiler != null && compiler.isCompilationTimeMonitoringSupported()
                ? compiler.getTotalCompilationTime() : 0;
    }
}
