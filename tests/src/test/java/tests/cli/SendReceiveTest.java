package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import testkit.Tier;

/** {@code multifd receive} and {@code multifd send} as two launcher processes over loopback. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@Tier.Image
class SendReceiveTest {

    private static final String LISTENING = "listening on ";

    @TempDir
    Path dir;

    @Test
    void aFileSentFromOneProcessArrivesIdenticalInTheOther() throws Exception {
        Path source = randomFile("source.bin", (24 << 20) + 1000);
        Path target = dir.resolve("target.bin");
        try (Launcher.Child receiver = Launcher.start(Launcher.multifd("receive", "--listen", "127.0.0.1:0",
                "--into", target.toString()), Map.of())) {
            String address = receiver.awaitErrLine(LISTENING).substring(LISTENING.length());

            Launcher.Result sent = Launcher.run("send", "--to", address, "--from", source.toString(),
                    "--channels", "3");
            Launcher.Result received = receiver.result();

            assertThat(sent.exitCode()).as(sent.describe()).isZero();
            assertThat(received.exitCode()).as(received.describe()).isZero();
            assertThat(sent.out()).contains("completed, digests verified by the destination");
            assertThat(Files.mismatch(source, target)).isEqualTo(-1);
        }
    }

    @Test
    void aReceiverExpectingAnotherSizeMakesBothSidesFailWithOneLineNamingTheMismatch() throws Exception {
        Path source = randomFile("source.bin", 8 << 20);
        try (Launcher.Child receiver = Launcher.start(Launcher.multifd("receive", "--listen", "127.0.0.1:0",
                "--size", "4m"), Map.of())) {
            String address = receiver.awaitErrLine(LISTENING).substring(LISTENING.length());

            Launcher.Result sent = Launcher.run("send", "--to", address, "--from", source.toString());
            Launcher.Result received = receiver.result();

            assertThat(received.exitCode()).as(received.describe()).isEqualTo(1);
            assertThat(received.errLines()).as(received.describe()).containsExactly(LISTENING + address,
                    "multifd receive: size mismatch: the source's ram block 'ram0' has 8388608 bytes (8.00 MiB)"
                            + " but the destination's --size is 4194304 bytes (4.00 MiB)");
            assertThat(sent.exitCode()).as(sent.describe()).isEqualTo(1);
            assertThat(sent.errLines()).as(sent.describe()).singleElement().asString()
                    .startsWith("multifd send: ")
                    .contains("size mismatch", "8388608", "4194304");
        }
    }

    @Test
    void sendingWhereNothingListensFailsWithOneLine() throws Exception {
        Path source = randomFile("source.bin", 1 << 20);

        Launcher.Result sent = Launcher.run("send", "--to", "127.0.0.1:" + closedPort(), "--from",
                source.toString());

        assertThat(sent.exitCode()).as(sent.describe()).isEqualTo(1);
        assertThat(sent.out()).isEmpty();
        assertThat(sent.errLines()).as(sent.describe()).singleElement().asString()
                .startsWith("multifd send: cannot connect")
                .contains("Connection refused");
    }

    private Path randomFile(String name, int size) throws IOException {
        byte[] bytes = new byte[size];
        new SplittableRandom(size).nextBytes(bytes);
        return Files.write(dir.resolve(name), bytes);
    }

    /** {@return a loopback port that nothing listens on: one the kernel just handed out and that was closed} */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
