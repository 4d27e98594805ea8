package io.channel.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.channel.tls.TlsHandshakeException.Reason;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import migration.authority.ThrowawayAuthority;

/**
 * {@link TlsChannel} is plain TLS 1.3: OpenSSL's {@code s_client} completes a handshake with a {@code TlsChannel}
 * server, verifying its certificate and name as any TLS client does, and application data crosses both ways.
 * Skipped where no {@code openssl} is installed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsOpensslInteropTest {

    private static final ThrowawayAuthority CA = ThrowawayAuthority.create("interop test CA");
    private static final TlsParameters SERVER = TlsPeers.parameters(CA.issue("destination", TlsPeers.LOOPBACK_NAMES));
    private static final String FROM_OPENSSL = "hello from s_client";
    private static final String FROM_JAVA = "hello from TlsChannel";

    private static Path openssl;

    @TempDir
    Path dir;

    @BeforeAll
    static void findOpenssl() {
        openssl = Arrays.stream(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .filter(entry -> !entry.isEmpty()).map(entry -> Path.of(entry, "openssl"))
                .filter(Files::isExecutable).findFirst().orElse(null);
        assumeTrue(openssl != null, "openssl is not installed (no 'openssl' on the PATH), so no standard TLS client"
                + " can be run against TlsChannel; install it (Debian: apt-get install openssl; .ci/run does)");
    }

    @Test
    void opensslCompletesATls13HandshakeVerifyingTheServersCertificateAndName() throws Exception {
        TlsParameters serverOnly = SERVER.withClientCertificateRequired(false);
        try (TlsPeers peers = new TlsPeers().serve(serverOnly);
             SClient client = SClient.start(this, peers, List.of())) {

            try (TlsChannel server = peers.serverResult()) {
                client.exchangeWith(server);
                assertThat(server.session().peerIdentity()).as("no client certificate asked for").isNull();
            }
            assertThat(client.awaitExit()).as("s_client's exit status; its output:%n%s", client.errors()).isZero();
            assertThat(client.errors()).contains("Protocol version: TLSv1.3")
                    .contains("Ciphersuite: TLS_AES_128_GCM_SHA256").contains("Verification: OK");
        }
    }

    @Test
    void opensslWithTheRightClientCertificateGetsApplicationDataThroughMutualAuthentication() throws Exception {
        Path certificate = dir.resolve("source-cert.pem");
        Path key = dir.resolve("source-key.pem");
        CA.issue("source", TlsPeers.LOOPBACK_NAMES).writePem(certificate, key);
        try (TlsPeers peers = new TlsPeers().serve(SERVER);
             SClient client = SClient.start(this, peers, List.of("-cert", certificate.toString(), "-key",
                     key.toString()))) {

            try (TlsChannel server = peers.serverResult()) {
                assertThat(server.session().peerIdentity().getName()).isEqualTo("CN=source");
                client.exchangeWith(server);
            }
            assertThat(client.awaitExit()).as("s_client's exit status; its output:%n%s", client.errors()).isZero();
        }
    }

    @Test
    void opensslWithACertificateFromAnotherCaIsRefusedByTheServerAsUnknownCa() throws Exception {
        Path certificate = dir.resolve("intruder-cert.pem");
        Path key = dir.resolve("intruder-key.pem");
        ThrowawayAuthority.create("another CA").issue("intruder", TlsPeers.LOOPBACK_NAMES).writePem(certificate, key);
        try (TlsPeers peers = new TlsPeers().serve(SERVER);
             SClient client = SClient.start(this, peers, List.of("-cert", certificate.toString(), "-key",
                     key.toString()))) {

            TlsHandshakeException refused = peers.serverFailure();
            assertThat(refused.reason()).isEqualTo(Reason.UNKNOWN_CA);
            assertThat(refused).hasMessageContaining("'CN=intruder' is issued by 'CN=another CA'");
            client.closeInput();
        }
    }

    /** A running {@code openssl s_client} connected to the peers' listener; closing ends it. */
    private record SClient(Process process, BufferedReader output, Path errorFile) implements AutoCloseable {

        static SClient start(TlsOpensslInteropTest test, TlsPeers peers, List<String> extra) throws IOException {
            Path caFile = test.dir.resolve("ca.pem");
            CA.writeCertificate(caFile);
            List<String> command = new ArrayList<>(List.of(openssl.toString(), "s_client", "-connect",
                    "127.0.0.1:" + peers.port(), "-tls1_3", "-CAfile", caFile.toString(), "-verify_return_error",
                    "-verify_hostname", "localhost", "-brief", "-nocommands"));
            command.addAll(extra);
            Path errorFile = test.dir.resolve("s_client-" + System.nanoTime() + ".err");
            Process process = new ProcessBuilder(command).redirectError(errorFile.toFile()).start();
            return new SClient(process, new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8)), errorFile);
        }

        /**
         * s_client sends a line to the server, which answers with one that s_client prints; then s_client's end
         * of input makes it send {@code close_notify}, which the server reads as a clean end of the stream.
         */
        void exchangeWith(TlsChannel server) throws IOException {
            OutputStream input = process.getOutputStream();
            input.write((FROM_OPENSSL + "\n").getBytes(StandardCharsets.UTF_8));
            input.flush();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment received = arena.allocate(FROM_OPENSSL.length() + 1);
                server.readFully(received);
                assertThat(new String(received.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8))
                        .isEqualTo(FROM_OPENSSL + "\n");
                byte[] answer = (FROM_JAVA + "\n").getBytes(StandardCharsets.UTF_8);
                MemorySegment reply = arena.allocate(answer.length);
                MemorySegment.copy(answer, 0, reply, ValueLayout.JAVA_BYTE, 0, answer.length);
                server.writeAll(reply);
                String line;
                while ((line = output.readLine()) != null && !line.equals(FROM_JAVA)) {
                    // s_client prints nothing else on its standard output with -brief.
                }
                assertThat(line).as("the server's line, printed by s_client").isEqualTo(FROM_JAVA);
                closeInput();
                assertThat(server.readv(new MemorySegment[] {arena.allocate(16)}, 0, 1))
                        .as("s_client's close_notify: a clean end of stream").isEqualTo(-1);
            }
        }

        void closeInput() throws IOException {
            process.getOutputStream().close();
        }

        int awaitExit() throws InterruptedException {
            return process.waitFor();
        }

        String errors() throws IOException {
            return Files.readString(errorFile);
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
