package migration.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ProcessUsageTest {

    @Test
    void theWaitedForChildrensFieldsAreReadInClockTicks() {
        // proc(5): pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
        // cutime cstime ...; a command name with spaces and brackets must not shift the fields.
        String line = "multifd-bench-usage 100 4242 (sh (x) y) S 1 4242 4242 0 -1 4194304 90 54321 0 0 1 2 150 25 0";
        assertThat(ProcessUsage.parse(line)).isEqualTo(new ProcessUsage(1_750_000_000L, 54321, 100));
    }

    @Test
    void aLineThatIsNotAUsageLineIsRefusedNamingIt() {
        assertThatThrownBy(() -> ProcessUsage.parse("{\"status\":\"completed\"}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a usage line");
        assertThatThrownBy(() -> ProcessUsage.parse("multifd-bench-usage 100 1 (sh) S 1"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed usage line");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void theWrappingShellReportsItsChildAfterItsOutputAndKeepsItsExitStatus() throws Exception {
        Process process = new ProcessBuilder(ProcessUsage.wrap(List.of("sh", "-c", "echo out; exit 3"))).start();
        List<String> lines = lines(process);

        assertThat(process.waitFor()).isEqualTo(3);
        assertThat(lines).hasSize(2).first().isEqualTo("out");
        // Loading a program takes page faults: the child's are counted, so there are some.
        assertThat(ProcessUsage.parse(lines.getLast()).minorFaults()).isPositive();
    }

    private static List<String> lines(Process process) throws IOException {
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
}
