package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import testkit.JsonReader;
import testkit.Tier;

/**
 * The launcher as users call it: through a symbolic link, and on a terminal. Progress goes where standard error is a
 * terminal, whatever standard output is ({@code script} gives the command a pseudo-terminal).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@Tier.Image
class LauncherTerminalTest {

    private static final String NOTE = "multifd demo: filling ";

    @TempDir
    Path dir;

    @Test
    void theLauncherWorksThroughAChainOfSymbolicLinks() throws IOException {
        Path launcher = Launcher.image().resolve("bin/multifd");
        Path bin = Files.createDirectory(dir.resolve("bin"));
        Path first = Files.createSymbolicLink(bin.resolve("multifd-link"), launcher);
        Path second = Files.createSymbolicLink(dir.resolve("multifd"), Path.of("bin/multifd-link"));

        Launcher.Result run = Launcher.start(List.of(second.toString(), "--version"), Map.of()).result();

        assertThat(first).isSymbolicLink();
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).as(run.describe()).startsWith("multifd ");
    }

    @Test
    void progressIsShownWhenStandardErrorIsATerminalEvenWithStandardOutputInAFile() throws Exception {
        Path json = dir.resolve("stats.json");

        Launcher.Result run = onTerminal(multifd("demo", "--size", "16m", "--json") + " > " + json);

        assertThat(run.out()).as(run.describe()).contains(NOTE);
        assertThat(JsonReader.object(Files.readString(json))).containsEntry("status", "completed");
    }

    @Test
    void noProgressIsWrittenIntoAPipeOrFileEvenWithStandardOutputOnATerminal() throws Exception {
        Path err = dir.resolve("err.txt");

        Launcher.Result run = onTerminal(multifd("demo", "--size", "16m") + " 2> " + err);

        assertThat(run.out()).as(run.describe()).contains("multifd demo: migrated 16.00 MiB").doesNotContain(NOTE);
        assertThat(Files.readString(err)).doesNotContain(NOTE);
    }

    /** {@return the result of a shell command run by {@code script} on a new pseudo-terminal; its output is the terminal's} */
    private Launcher.Result onTerminal(String shellCommand) throws InterruptedException {
        assumeTrue(hasScript(), "needs script (util-linux) for a pseudo-terminal");
        Launcher.Result run = Launcher.start(List.of("script", "-qec", shellCommand, "/dev/null"), Map.of()).result();
        assertThat(run.exitCode()).as(run.describe()).isZero();
        return run;
    }

    private static String multifd(String... args) {
        StringBuilder line = new StringBuilder("'" + Launcher.image().resolve("bin/multifd") + "'");
        for (String arg : args) {
            line.append(' ').append(arg);
        }
        return line.toString();
    }

    private static boolean hasScript() throws InterruptedException {
        try {
            Process probe = new ProcessBuilder("script", "--version").redirectErrorStream(true).start();
            return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
