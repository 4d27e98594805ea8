package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import testkit.JsonReader;
import testkit.Tier;

/**
 * The image's launcher execs java, so a supervisor's SIGTERM and a terminal's Ctrl-C reach the JVM, which cancels
 * the migration and always reports it: with {@code --json} the final document (status cancelled) on standard
 * output, and the one reason line on standard error, before exiting with 143 or 130.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@Tier.Image
class LauncherSignalTest {

    private static final String LISTENING = "listening on ";

    @TempDir
    Path dir;

    @Test
    void theLauncherProcessIsTheJvmItselfAndStopsOnSigterm() throws Exception {
        try (Launcher.Child receiver = Launcher.start(Launcher.multifd("receive", "--listen", "127.0.0.1:0",
                "--size", "4m"), Map.of())) {
            receiver.awaitErrLine(LISTENING);
            Process process = receiver.process();

            assertThat(process.info().command()).hasValueSatisfying(exe -> assertThat(exe).endsWith("/bin/java"));
            assertThat(process.descendants().count()).as("processes left under the launcher").isZero();

            process.destroy(); // SIGTERM

            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the JVM ended on SIGTERM").isTrue();
            assertThat(receiver.result().exitCode()).isEqualTo(143);
        }
    }

    @ParameterizedTest(name = "SIG{0} exits {1}")
    @CsvSource({"TERM, 143", "INT, 130"})
    void aSignalOnAWaitingReceivePrintsTheCancelledJsonAndTheReason(String signal, int exitCode) throws Exception {
        try (Launcher.Child receiver = Launcher.start(Launcher.multifd("receive", "--listen", "127.0.0.1:0",
                "--size", "4m", "--json"), Map.of())) {
            receiver.awaitErrLine(LISTENING);
            assumeFalse(signal.equals("INT") && ignoresSigint(receiver.process()), "this test's processes start with"
                    + " SIGINT ignored (a background job of a shell without job control), so the JVM does not handle it");

            receiver.signal(signal);
            Launcher.Result result = receiver.result();

            assertThat(result.exitCode()).as(result.describe()).isEqualTo(exitCode);
            assertThat(JsonReader.object(result.out())).as(result.describe()).containsEntry("status", "cancelled");
            assertThat(result.errLines()).as(result.describe()).last().asString()
                    .startsWith("multifd receive: stopped by Ctrl-C or SIGTERM: ");
        }
    }

    @Test
    void sigtermOnASendWaitingForItsDestinationPrintsTheCancelledJsonAndTheReason() throws Exception {
        Path source = Files.write(dir.resolve("source.bin"), new byte[1 << 20]);
        // A destination that accepts the main channel and never answers: the source waits in its handshake.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             Launcher.Child sender = Launcher.start(Launcher.multifd("send", "--to", "127.0.0.1:"
                     + silent.getLocalPort(), "--from", source.toString(), "--json"), Map.of());
             Socket main = silent.accept()) {

            sender.signal("TERM");
            Launcher.Result result = sender.result();

            assertThat(result.exitCode()).as(result.describe()).isEqualTo(143);
            assertThat(JsonReader.object(result.out())).as(result.describe()).containsEntry("status", "cancelled");
            assertThat(result.errLines()).as(result.describe()).last().asString()
                    .startsWith("multifd send: stopped by Ctrl-C or SIGTERM: ");
        }
    }

    /** {@return whether the process ignores SIGINT} (signal 2: bit 1 of SigIgn in {@code /proc/PID/status}) */
    private static boolean ignoresSigint(Process process) throws IOException {
        Path status = Path.of("/proc", Long.toString(process.pid()), "status");
        assumeTrue(Files.isReadable(status), "no " + status + " to see whether SIGINT is ignored");
        String mask = Files.readAllLines(status).stream().filter(line -> line.startsWith("SigIgn:"))
                .map(line -> line.substring("SigIgn:".length()).strip()).findFirst().orElseThrow();
        return (Long.parseUnsignedLong(mask, 16) & (1L << (2 - 1))) != 0;
    }
}
