package migration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import testkit.JsonReader;

/** The hidden {@code multifd cold-ceiling send|receive}: the cold bench's ceiling processes. */
class ColdCeilingCommandTest {

    /** More than one send chunk and several receive buffers, and not a whole number of pages. */
    private static final int SIZE = (1 << 20) + 3 * 4096 + 123;

    @TempDir
    Path dir;

    private static byte[] random(long seed) {
        byte[] bytes = new byte[SIZE];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    @SuppressWarnings("unchecked")
    @ParameterizedTest(name = "{0} streams into a {1} destination")
    @CsvSource({"1, fresh", "4, fresh", "1, pre-touched", "4, pre-touched", "1, in-place", "4, in-place"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theCeilingMovesTheFileByteExactlyAsReceiveHandlesTheDestination(int streams, String destination)
            throws Exception {
        byte[] content = random(streams);
        Path source = Files.write(dir.resolve("source"), content);
        Path into = dir.resolve("destination");
        if (!destination.equals("fresh")) {
            Files.write(into, random(99));
        }
        Object inodeBefore = destination.equals("fresh") ? null : Files.getAttribute(into, "unix:ino");

        RunningCommand receive = destination.equals("in-place")
                ? RunningCommand.start("cold-ceiling", "receive", "--into", into.toString(), "--in-place")
                : RunningCommand.start("cold-ceiling", "receive", "--into", into.toString());
        Run sent = Run.of("cold-ceiling", "send", "--to", receive.address(), "--from", source.toString(),
                "--channels", String.valueOf(streams));
        Run received = receive.result();

        assertThat(sent.exitCode()).as("send: %s", sent.err()).isZero();
        assertThat(received.exitCode()).as("receive: %s", received.err()).isZero();
        assertThat(Files.readAllBytes(into)).isEqualTo(content);
        assertThat(Files.list(dir).map(p -> p.getFileName().toString()).toList())
                .as("no temporary file left").containsExactlyInAnyOrder("source", "destination");
        Map<String, Object> sender = JsonReader.object(sent.out());
        assertThat(sender).containsKeys("total-time", "process-cpu");
        assertThat((Map<String, Object>) sender.get("process-cpu")).containsKeys("before-migration", "migration");
        Map<String, Object> receiver = JsonReader.object(received.out());
        assertThat(receiver).containsEntry("bytes", (long) SIZE)
                .containsEntry("in-place", destination.equals("in-place"));
        assertThat((Map<String, Object>) receiver.get("process-cpu")).containsKeys("before-migration", "migration");
        if (inodeBefore != null) {
            assertThat(Files.getAttribute(into, "unix:ino")).as("the same file (in place), else a new one renamed")
                    .matches(inode -> inode.equals(inodeBefore) == destination.equals("in-place"));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void inPlaceIntoAFileOfAnotherSizeGoesThroughATemporaryFileAsReceiveDoes() throws Exception {
        byte[] content = random(7);
        Path source = Files.write(dir.resolve("source"), content);
        Path into = Files.write(dir.resolve("destination"), new byte[4096]);

        RunningCommand receive = RunningCommand.start("cold-ceiling", "receive", "--into", into.toString(),
                "--in-place");
        Run sent = Run.of("cold-ceiling", "send", "--to", receive.address(), "--from", source.toString(),
                "--channels", "2");
        Run received = receive.result();

        assertThat(sent.exitCode()).as("send: %s", sent.err()).isZero();
        assertThat(received.exitCode()).as("receive: %s", received.err()).isZero();
        assertThat(Files.readAllBytes(into)).isEqualTo(content);
        assertThat(JsonReader.object(received.out())).containsEntry("in-place", false);
    }

    @Test
    void aReceiverIntoAMissingDirectorySaysSoAndFails() {
        Path into = dir.resolve("missing").resolve("destination");

        Run run = Run.of("cold-ceiling", "receive", "--into", into.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("multifd cold-ceiling receive: no such directory: " + into.getParent());
    }

    @Test
    void aSenderOfAMissingFileSaysSoAndFails() {
        Path missing = dir.resolve("missing");

        Run run = Run.of("cold-ceiling", "send", "--to", "127.0.0.1:9", "--from", missing.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("multifd cold-ceiling send: cannot send " + missing + ": no such file");
    }

    @Test
    void theToolsHelpDoesNotListTheHiddenCommand() {
        Run help = Run.of("--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).as("the commands, each at the start of a line")
                .containsPattern("(?m)^  bench ").containsPattern("(?m)^  receive ")
                .doesNotContainPattern("(?m)^  cold-ceiling");
        assertThat(new CommandLine(new Main()).getSubcommands().get("cold-ceiling").getCommandSpec().usageMessage()
                .hidden()).isTrue();
        assertThat(Run.of("cold-ceiling", "--help").out()).contains("send", "receive");
    }

    @Test
    void benchMeasuresTheColdCeilingByDefaultAndSaysColdAloneHasNone() {
        CommandLine bench = new CommandLine(new BenchCommand());

        assertThat(bench.getCommandSpec().findOption("--modes").defaultValue())
                .startsWith("cold,cold-ceiling,tls-cold,ceiling,");
        assertThat(String.join(" ", Run.of("bench", "--help").out().split("\\s+")))
                .contains("'--modes cold' measures the cold path alone (no ceiling rows: they run only when"
                        + " cold-ceiling is named, as by default)", "each cold row giving its % of it");
    }
}
