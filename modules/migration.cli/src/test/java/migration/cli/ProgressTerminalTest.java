package migration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress is drawn where standard error is a terminal, whatever standard output and input are. */
class ProgressTerminalTest {

    @TempDir
    Path dir;

    @Test
    void theLaunchersAnswerDecides() throws Exception {
        Path pipe = Files.createSymbolicLink(dir.resolve("2"), Path.of("pipe:[1234]"));

        assertThat(Progress.onTerminal("true", pipe)).isTrue();
        assertThat(Progress.onTerminal("false", Files.createSymbolicLink(dir.resolve("tty"), Path.of("/dev/pts/3"))))
                .isFalse();
    }

    @Test
    void withoutTheLauncherATerminalDeviceOnStandardErrorCounts() throws Exception {
        assertThat(Progress.onTerminal(null, Files.createSymbolicLink(dir.resolve("pts"), Path.of("/dev/pts/3"))))
                .isTrue();
        assertThat(Progress.onTerminal(null, Files.createSymbolicLink(dir.resolve("tty"), Path.of("/dev/tty1"))))
                .isTrue();
    }

    @Test
    void withoutTheLauncherAPipeOrAFileDoesNotCount() throws Exception {
        assertThat(Progress.onTerminal(null, Files.createSymbolicLink(dir.resolve("pipe"), Path.of("pipe:[1234]"))))
                .isFalse();
        assertThat(Progress.onTerminal(null, Files.createSymbolicLink(dir.resolve("log"), Path.of("/tmp/log"))))
                .isFalse();
        assertThat(Progress.onTerminal(null, dir.resolve("absent"))).isFalse();
    }
}
