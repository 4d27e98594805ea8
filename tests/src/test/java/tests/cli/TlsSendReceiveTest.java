package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import testkit.Tier;
import migration.authority.ThrowawayAuthority;

/** {@code multifd send} and {@code receive} under TLS, as two launcher processes, with PEM files made here. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Tier.Image
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

    @ParameterizedTest(name = "with {0} channel(s)")
    @ValueSource(ints = {1, 4})
    void aFileSentUnderTlsArrivesIdenticalAndTheJsonNamesThePeer(int channels) throws Exception {
        ThrowawayAuthority ca = ThrowawayAuthority.create("send-receive CA");
        Path source = randomFile((16 << 20) + 1000);
        Path target = dir.resolve("target.bin");
        List<String> receive = new java.util.ArrayList<>(List.of("receive", "--listen", "127.0.0.1:0", "--into",
                target.toString(), "--tls-allow", "CN=source"));
        receive.addAll(tls(ca, "destination"));
        try (Launcher.Child receiver = Launcher.start(Launcher.multifd(receive.toArray(String[]::new)), Map.of())) {
            String address = receiver.awaitErrLine(LISTENING).substring(LISTENING.length());
            List<String> send = new java.util.ArrayList<>(List.of("send", "--to", address, "--from",
                    source.toString(), "--channels", String.valueOf(channels), "--json"));
            send.addAll(tls(ca, "source"));

            Launcher.Result sent = Launcher.run(send.toArray(String[]::new));
            Launcher.Result received = receiver.result();

            assertThat(sent.exitCode()).as(sent.describe()).isZero();
            assertThat(received.exitCode()).as(received.describe()).isZero();
            assertThat(sent.out()).contains("\"tls\":{\"enabled\":true,\"protocol\":\"TLSv1.3\"")
                    .contains("\"peer-identity\":\"CN=destination\"")
                    .contains("\"verified\":true,\"verified-by\":\"tls\"")
                    .contains("TLS encrypts every page");
            assertThat(Files.mismatch(source, target)).isEqualTo(-1);
            assertThat(received.out()).contains("tls         TLSv1.3 TLS_AES_128_GCM_SHA256, peer 'CN=source'"
                    + " (certificate verified)");
        }
    }

    /**
     * A source whose certificate is valid but whose identity the destination does not allow: the source ends
     * with the destination's reason, the destination warns with its own, writes nothing, and goes on waiting for
     * the right source until stopped, when it names the refused connection again. Deterministic: the destination
     * answers the completed handshake (ADMISSION) before the source sends anything, so the source always reads the
     * refusal, and the test stops the destination only once its warning is out.
     */
    @Test
    void aSourceWhoseIdentityIsNotAllowedLearnsWhyAndTheDestinationWritesNothing() throws Exception {
        ThrowawayAuthority ca = ThrowawayAuthority.create("send-receive CA");
        Path source = randomFile(1 << 20);
        Path target = dir.resolve("target.bin");
        List<String> receive = new java.util.ArrayList<>(List.of("receive", "--listen", "127.0.0.1:0", "--into",
                target.toString(), "--tls-allow", "CN=backup"));
        receive.addAll(tls(ca, "destination"));
        try (Launcher.Child receiver = Launcher.start(Launcher.multifd(receive.toArray(String[]::new)), Map.of())) {
            String address = receiver.awaitErrLine(LISTENING).substring(LISTENING.length());
            List<String> send = new java.util.ArrayList<>(List.of("send", "--to", address, "--from",
                    source.toString(), "--channels", "2"));
            send.addAll(tls(ca, "source"));

            Launcher.Result sent = Launcher.run(send.toArray(String[]::new));

            assertThat(sent.exitCode()).as(sent.describe()).isEqualTo(1);
            assertThat(sent.errLines()).as(sent.describe()).last().asString()
                    .startsWith("multifd send: TLS on the main channel to ")
                    .contains("the destination refused this source after the TLS handshake: \"the identity"
                            + " 'CN=source' of the source's certificate is not among the identities the destination"
                            + " allows\"");
            String warning = receiver.awaitErrLine("WARNING: refused a connection from ");
            assertThat(warning).contains("the peer's identity 'CN=source' is not among the allowed identities"
                    + " ['CN=backup']");
            receiver.signal("TERM");
            Launcher.Result received = receiver.result();
            assertThat(received.exitCode()).as(received.describe()).isEqualTo(143);
            assertThat(received.errLines()).as(received.describe()).last().asString()
                    .contains("(1 connection that did not identify as this migration's dropped, the last: refused a"
                            + " connection from ")
                    .contains("is not among the allowed identities ['CN=backup']");
            assertThat(target).as("nothing was written").doesNotExist();
            try (var left = Files.list(dir)) {
                assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".partial"));
            }
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
