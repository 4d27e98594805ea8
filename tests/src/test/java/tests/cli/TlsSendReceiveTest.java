package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.channel.tls.ThrowawayAuthority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code multifd send} and {@code receive} under TLS, as two launcher processes, with PEM files made here. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsSendReceiveTest {

    private static final String LISTENING = "listening on ";
    private static final List<String> NAMES = List.of("localhost", "127.0.0.1");

    @TempDir
    Path dir;

    private List<String> tls(ThrowawayAuthority ca, String side) throws Exception {
        Path caFile = dir.resolve("ca-" + side + ".pem");
        ca.writeCertificate(caFile);
        ca.issue(side, NAMES).writePem(dir.resolve(side + ".pem"), dir.resolve(side + "-key.pem"));
        return List.of("--tls-ca", caFile.toString(), "--tls-cert", dir.resolve(side + ".pem").toString(),
                "--tls-key", dir.resolve(side + "-key.pem").toString());
    }

    private Path randomFile(int size) throws Exception {
        byte[] bytes = new byte[size];
        new SplittableRandom(size).nextBytes(bytes);
        return Files.write(dir.resolve("source.bin"), bytes);
    }

    @Test
    void aFileSentUnderTlsWithFourChannelsArrivesIdenticalAndTheJsonNamesThePeer() throws Exception {
        ThrowawayAuthority ca = ThrowawayAuthority.create("send-receive CA");
        Path source = randomFile((16 << 20) + 1000);
        Path target = dir.resolve("target.bin");
        List<String> receive = new java.util.ArrayList<>(List.of("receive", "--listen", "127.0.0.1:0", "--into",
                target.toString(), "--tls-allow", "CN=source"));
        receive.addAll(tls(ca, "destination"));
        try (Launcher.Child receiver = Launcher.start(Launcher.multifd(receive.toArray(String[]::new)), Map.of())) {
            String address = receiver.awaitErrLine(LISTENING).substring(LISTENING.length());
            List<String> send = new java.util.ArrayList<>(List.of("send", "--to", address, "--from",
                    source.toString(), "--channels", "4", "--json"));
            send.addAll(tls(ca, "source"));

            Launcher.Result sent = Launcher.run(send.toArray(String[]::new));
            Launcher.Result received = receiver.result();

            assertThat(sent.exitCode()).as(sent.describe()).isZero();
            assertThat(received.exitCode()).as(received.describe()).isZero();
            assertThat(sent.out()).contains("\"tls\":{\"enabled\":true,\"protocol\":\"TLSv1.3\"")
                    .contains("\"peer-identity\":\"CN=destination\"")
                    .contains("TLS encrypts every page");
            assertThat(Files.mismatch(source, target)).isEqualTo(-1);
        }
    }

    @Test
    void aBadKeyFileFailsAtStartNamingTheFile() throws Exception {
        ThrowawayAuthority ca = ThrowawayAuthority.create("send-receive CA");
        Path source = randomFile(1 << 20);
        List<String> send = new java.util.ArrayList<>(List.of("send", "--to", "127.0.0.1:9", "--from",
                source.toString()));
        send.addAll(tls(ca, "source"));
        Files.writeString(dir.resolve("source-key.pem"), "not a key\n");

        Launcher.Result sent = Launcher.run(send.toArray(String[]::new));

        assertThat(sent.exitCode()).as(sent.describe()).isEqualTo(1);
        assertThat(sent.errLines()).as(sent.describe()).singleElement().asString()
                .isEqualTo("multifd send: TLS: private key file '" + dir.resolve("source-key.pem")
                        + "' holds no PEM block (no '-----BEGIN ...-----' line)");
    }
}
