package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The image's launcher execs java, so a supervisor's SIGTERM reaches the JVM instead of orphaning it. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LauncherSignalTest {

    @Test
    void theLauncherProcessIsTheJvmItselfAndStopsOnSigterm() throws Exception {
        try (Launcher.Child receiver = Launcher.start(Launcher.multifd("receive", "--listen", "127.0.0.1:0",
                "--size", "4m"), Map.of())) {
            receiver.awaitErrLine("listening on ");
            Process process = receiver.process();

            assertThat(process.info().command()).hasValueSatisfying(exe -> assertThat(exe).endsWith("/bin/java"));
            assertThat(process.descendants().count()).as("processes left under the launcher").isZero();

            process.destroy(); // SIGTERM

            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the JVM ended on SIGTERM").isTrue();
            assertThat(receiver.result().exitCode()).isNotZero();
        }
    }
}
