package migration.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import testkit.JsonReader;
import testkit.RunningTool;
import testkit.ToolRun;

/** {@code multifd bench cold-ceiling send|receive}: the cold bench's ceiling processes. */
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

        RunningTool receive = destination.equals("in-place")
                ? start("cold-ceiling", "receive", "--into", into.toString(), "--in-place")
                : start("cold-ceiling", "receive", "--into", into.toString());
        ToolRun sent = run("cold-ceiling", "send", "--to", receive.address(), "--from", source.toString(),
                "--channels", String.valueOf(streams));
        ToolRun received = receive.result();

        assertThat(sent.exitCode()).as("send: %s", sent.err()).isZero();
        assertThat(received.exitCode()).as("receive: %s", received.err()).isZero();
        assertThat(Files.readAllBytes(into)).isEqualTo(content);
        assertThat(Files.list(dir).map(p -> p.getFileName().toString()).toList())
                .as("no temporary file left").containsExactlyInAnyOrder("source", "destination");
        assertThat(JsonReader.object(sent.out())).containsOnlyKeys("total-time");
        assertThat(JsonReader.object(received.out())).containsOnlyKeys("bytes", "in-place")
                .containsEntry("bytes", (long) SIZE).containsEntry("in-place", destination.equals("in-place"));
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

        RunningTool receive = start("cold-ceiling", "receive", "--into", into.toString(), "--in-place");
        ToolRun sent = run("cold-ceiling", "send", "--to", receive.address(), "--from", source.toString(),
                "--channels", "2");
        ToolRun received = receive.result();

        assertThat(sent.exitCode()).as("send: %s", sent.err()).isZero();
        assertThat(received.exitCode()).as("receive: %s", received.err()).isZero();
        assertThat(Files.readAllBytes(into)).isEqualTo(content);
        assertThat(JsonReader.object(received.out())).containsEntry("in-place", false);
    }

    @Test
    void aReceiverIntoAMissingDirectorySaysSoAndFails() {
        Path into = dir.resolve("missing").resolve("destination");

        ToolRun run = run("cold-ceiling", "receive", "--into", into.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("multifd bench cold-ceiling receive: no such directory: " + into.getParent());
    }

    @Test
    void aSenderOfAMissingFileSaysSoAndFails() {
        Path missing = dir.resolve("missing");

        ToolRun run = run("cold-ceiling", "send", "--to", "127.0.0.1:9", "--from", missing.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("multifd bench cold-ceiling send: cannot send " + missing + ": no such file");
    }

    @Test
    void theBenchmarksHelpDoesNotListItsCeilingProcesses() {
        ToolRun help = run("--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).startsWith("Usage: multifd bench ").doesNotContain("cold-ceiling send");
        assertThat(run("cold-ceiling", "--help").out()).contains("send", "receive");
    }

    @Test
    void aSenderToAnAddressWithoutAPortIsAUsageError() {
        ToolRun run = run("cold-ceiling", "send", "--to", "localhost", "--from", dir.toString());

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("multifd bench cold-ceiling send: ", "expected HOST:PORT");
    }

    @Test
    void benchMeasuresTheColdCeilingByDefaultAndSaysColdAloneHasNone() {
        CommandLine bench = new CommandLine(new BenchCommand(null, null));

        assertThat(bench.getCommandSpec().findOption("--modes").defaultValue())
                .startsWith("cold,cold-ceiling,tls-cold,ceiling,");
        assertThat(String.join(" ", run("--help").out().split("\\s+")))
                .contains("'--modes cold' measures the cold path alone (no ceiling rows: they run only when"
                        + " cold-ceiling is named, as by default)", "each cold row giving its % of it");
    }

    private static ToolRun run(String... args) {
        return ToolRun.of(new BenchTool(), args);
    }

    private static RunningTool start(String... args) {
        return RunningTool.start(new BenchTool(), "bench-" + args[1], args);
    }
}
