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
import testkit.JsonReader;

/** The commands run in this process, with the copying provider (the Linux one is not on this module's path). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommandsTest {

    @Test
    void demoWithJsonPrintsOneDocumentSayingCompletedAndVerified() {
        Run run = Run.of("demo", "--size", "8m", "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, Object> stats = JsonReader.object(run.out());
        assertThat(stats).containsEntry("status", "completed").containsEntry("verified", true);
        assertThat(stats.get("ram")).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("total", 8L << 20)
                .containsEntry("remaining", 0L);
        assertThat(stats.get("channels")).asList().hasSize(2);
    }

    @Test
    void demoWithVerifyFinalComparesTheFinalMemoryAndHandsItOver() {
        Run run = Run.of("demo", "--size", "8m", "--verify", "final", "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(JsonReader.object(run.out())).containsEntry("status", "completed").containsEntry("verified", true)
                .containsEntry("ownership", "destination");
    }

    @Test
    void anUnknownVerifyModeIsAUsageErrorNamingTheValues() {
        Run run = Run.of("demo", "--size", "8m", "--verify", "sometimes");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--verify").contains("expected on, final or off");
    }

    @Test
    void sendGivesUpAfterItsTimeoutAgainstADestinationThatNeverAnswers(@TempDir Path dir) throws Exception {
        Path source = randomFile(dir.resolve("source.bin"), 1 << 20);
        // Accepts every connection and never says a word: the source waits for ACCEPT.
        try (java.nio.channels.ServerSocketChannel silent = java.nio.channels.ServerSocketChannel.open()
                .bind(new java.net.InetSocketAddress("127.0.0.1", 0), 64)) {
            int port = ((java.net.InetSocketAddress) silent.getLocalAddress()).getPort();
            Run run = Run.of("send", "--to", "127.0.0.1:" + port, "--from", source.toString(), "--timeout", "300ms");

            assertThat(run.exitCode()).isEqualTo(1);
            assertThat(run.errLines()).last().asString().isEqualTo("multifd send: the migration did not complete"
                    + " within 300 ms (--timeout); cancelled");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void demoMemoryHasAboutAQuarterZeroPages() {
        // 64 MiB: about 500 runs of pages, so the share of zero pages is 0.25 within a few hundredths.
        Run run = Run.of("demo", "--size", "64m", "--json", "--channels", "1");

        Map<String, Object> ram = (Map<String, Object>) JsonReader.object(run.out()).get("ram");
        long zero = (Long) ram.get("duplicate");
        long normal = (Long) ram.get("normal");
        assertThat((double) zero / (zero + normal)).isBetween(0.15, 0.35);
    }

    @Test
    void demoPrintsASummaryTableWithTheProviderAndWhatZeroCopyDid() {
        Run run = Run.of("demo", "--size", "4m", "--channels", "3");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("multifd demo: migrated 4.00 MiB")
                .contains("completed, digests verified by the destination")
                .containsPattern("owner +the destination: the memory was handed over")
                .contains("3 multifd + 1 main, provider copy")
                .contains("no zero-copy sends: every page was sent by copying");
    }

    @Test
    void demoWithZeroCopyOnFailsWithOneLineWhereNoProviderCanDoIt() {
        Run run = Run.of("demo", "--size", "4m", "--zero-copy", "on");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).last().asString().startsWith("multifd demo: ").contains("zero-copy");
        assertThat(run.errLines()).noneMatch(line -> line.startsWith("\tat "));
    }

    @Test
    void infoWithJsonListsTheCopyProviderAsAvailableAndChosen() {
        Run run = Run.of("info", "--json");

        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, Object> info = JsonReader.object(run.out());
        assertThat(info.get("providers")).asList().anySatisfy(provider -> assertThat(provider)
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.map(String.class, Object.class))
                .containsEntry("name", "copy")
                .containsEntry("available", true)
                .containsEntry("zero-copy", false)
                .containsEntry("cause", null));
        assertThat(info).containsEntry("chosen", "copy").containsKeys("diagnostics", "memory-provider");
    }

    @Test
    void infoAsTextNamesTheChosenProvider() {
        Run run = Run.of("info");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("chosen: copy").contains("memory provider: ");
    }

    @Test
    void sendAndReceiveMoveAFileAndTheReceivedFileEqualsIt(@TempDir Path dir) throws Exception {
        Path source = randomFile(dir.resolve("source.bin"), (3 << 20) + 123);
        Path target = dir.resolve("target.bin");
        RunningCommand receiver = RunningCommand.start("receive", "--listen", "127.0.0.1:0", "--into",
                target.toString());

        Run sent = Run.of("send", "--to", receiver.address(), "--from", source.toString(), "--channels", "3");
        Run received = receiver.result();

        assertThat(sent.exitCode()).as(sent.err()).isZero();
        assertThat(received.exitCode()).as(received.err()).isZero();
        assertThat(Files.mismatch(source, target)).isEqualTo(-1);
    }

    @Test
    void sendAndReceiveMoveAFileOverAUnixDomainSocket(@TempDir Path dir) throws Exception {
        Path source = randomFile(dir.resolve("source.bin"), (2 << 20) + 7);
        Path target = dir.resolve("target.bin");
        Path socket = dir.resolve("m.sock");
        RunningCommand receiver = RunningCommand.start("receive", "--listen", "unix:" + socket, "--into",
                target.toString());

        assertThat(receiver.address()).isEqualTo("unix:" + socket);
        Run sent = Run.of("send", "--to", receiver.address(), "--from", source.toString(), "--channels", "2");
        Run received = receiver.result();

        assertThat(sent.exitCode()).as(sent.err()).isZero();
        assertThat(received.exitCode()).as(received.err()).isZero();
        assertThat(Files.mismatch(source, target)).isEqualTo(-1);
        assertThat(socket).doesNotExist();
    }

    @Test
    void allowUidOverTcpIsAUsageError() {
        Run run = Run.of("receive", "--listen", "127.0.0.1:0", "--size", "1m", "--allow-uid", "1000");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--allow-uid needs --listen unix:PATH");
    }

    @Test
    void sendAndReceiveWithJsonPrintTheStatisticsDocumentAndNothingElse(@TempDir Path dir) throws Exception {
        Path source = randomFile(dir.resolve("source.bin"), 2 << 20);
        RunningCommand receiver = RunningCommand.start("receive", "--listen", "127.0.0.1:0", "--into",
                dir.resolve("target.bin").toString(), "--json");

        Run sent = Run.of("send", "--to", receiver.address(), "--from", source.toString(), "--json");
        Run received = receiver.result();

        assertThat(sent.exitCode()).as(sent.err()).isZero();
        assertThat(received.exitCode()).as(received.err()).isZero();
        for (Run run : new Run[] {sent, received}) {
            assertThat(JsonReader.object(run.out())).as(run.out()).containsEntry("status", "completed")
                    .containsEntry("ownership", "destination")
                    .containsOnlyKeys("status", "ownership", "total-time", "setup-time", "write-protect-time",
                            "expected-downtime",
                            "downtime", "cpu-throttle-percentage", "ram", "zero-copy", "channels", "live", "verified",
                            "verified-by", "unidentified-connections", "tls");
        }
    }

    @Test
    void receiveIntoMemoryOfTheWrongSizeFailsOnBothSidesNamingTheMismatch(@TempDir Path dir) throws Exception {
        Path source = randomFile(dir.resolve("source.bin"), 2 << 20);
        RunningCommand receiver = RunningCommand.start("receive", "--listen", "127.0.0.1:0", "--size", "1m");

        Run sent = Run.of("send", "--to", receiver.address(), "--from", source.toString());
        Run received = receiver.result();

        assertThat(received.exitCode()).isEqualTo(1);
        assertThat(received.errLines()).last().asString().startsWith("multifd receive: ").contains("size mismatch");
        assertThat(sent.exitCode()).isEqualTo(1);
        assertThat(sent.errLines()).last().asString().startsWith("multifd send: ").contains("size mismatch");
    }

    @Test
    void receiveGivesUpAfterItsTimeout() {
        Run run = Run.of("receive", "--listen", "127.0.0.1:0", "--size", "1m", "--timeout", "200ms");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).first().asString().startsWith("listening on 127.0.0.1:");
        assertThat(run.errLines()).last().asString()
                .isEqualTo("multifd receive: no migration completed within 200 ms (--timeout); cancelled");
    }

    @Test
    void sendingAMissingFileFailsWithOneLine(@TempDir Path dir) {
        Run run = Run.of("send", "--to", "127.0.0.1:9", "--from", dir.resolve("absent").toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly("multifd send: cannot send " + dir.resolve("absent")
                + ": no such file");
    }

    static Path randomFile(Path file, int size) throws Exception {
        byte[] bytes = new byte[size];
        SplittableRandom random = new SplittableRandom(size);
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) random.nextInt();
        }
        return Files.write(file, bytes);
    }
}
