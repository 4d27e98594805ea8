package io.channel.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.IOChannel;
import io.channel.tls.TlsHandshakeException.Reason;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import migration.authority.ThrowawayAuthority;

/**
 * Every way TLS refuses a peer: each ends with a reason on both sides and nothing left open. The allowed identities
 * a server's application checks after the handshake are tested where the migration does it (TlsMigrationTest).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsRefusalTest {

    private static final ThrowawayAuthority CA = ThrowawayAuthority.create("refusal test CA");
    private static final ThrowawayAuthority OTHER_CA = ThrowawayAuthority.create("some other CA");
    private static final TlsParameters SERVER =
            TlsPeers.parameters(CA.issue("destination", TlsPeers.LOOPBACK_NAMES));
    private static final TlsParameters CLIENT =
            TlsPeers.parameters(CA.issue("source", TlsPeers.LOOPBACK_NAMES));

    private long socketsBefore;

    @BeforeEach
    void countDescriptors() throws Exception {
        socketsBefore = TlsPeers.openSockets();
    }

    @AfterEach
    void nothingIsLeftBehind() throws Exception {
        assertThat(TlsPeers.tlsThreads()).isEmpty();
        if (socketsBefore >= 0) {
            assertThat(TlsPeers.openSockets()).isEqualTo(socketsBefore);
        }
    }

    @BeforeAll
    static void warmUp() throws Exception {
        TlsPeers.warmUp();
    }

    @Test
    void aServerSignedByAnotherCaIsRefusedAsUnknownCa() throws Exception {
        TlsParameters stranger = TlsPeers.parameters(OTHER_CA.issue("destination", TlsPeers.LOOPBACK_NAMES));
        try (TlsPeers peers = new TlsPeers().serve(stranger)) {
            assertThatThrownBy(() -> peers.connect("localhost", CLIENT))
                    .isInstanceOfSatisfying(TlsHandshakeException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_CA))
                    .hasMessageContaining("'CN=destination' is issued by 'CN=some other CA'")
                    .hasMessageContaining("not a trusted CA (trusted: 'CN=refusal test CA')");
            TlsHandshakeException server = peers.serverFailure();
            assertThat(server.reason()).isEqualTo(Reason.REFUSED_BY_PEER);
            assertThat(server).hasMessageContaining("the client 127.0.0.1:")
                    .hasMessageContaining("refused this side's certificate (alert certificate_unknown:");
        }
    }

    /** {@return a client that trusts the server's CA, but whose own certificate comes from elsewhere} */
    private static TlsParameters clientFromAnotherCa() {
        ThrowawayAuthority.Issued foreign = OTHER_CA.issue("source", TlsPeers.LOOPBACK_NAMES);
        return TlsParameters.of(TlsCredentials.of(List.of(CA.certificate()), List.of(foreign.certificate()),
                foreign.privateKey()));
    }

    /**
     * In TLS 1.3 a client's side of the handshake is complete before the server checks the client's certificate
     * (RFC 8446 section 4.4.2.4): a refused client learns it from its first read.
     */
    @Test
    void aClientSignedByAnotherCaLearnsOnItsFirstReadThatTheServerRefusedIt() throws Exception {
        TlsParameters stranger = clientFromAnotherCa();
        try (Arena arena = Arena.ofConfined();
             TlsPeers peers = new TlsPeers().serve(SERVER);
             TlsChannel client = peers.connect("localhost", stranger)) {
            assertThatThrownBy(() -> client.readv(new MemorySegment[] {arena.allocate(16)}, 0, 1))
                    .isInstanceOfSatisfying(TlsHandshakeException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.REFUSED_BY_PEER))
                    .hasMessageMatching("the server 127\\.0\\.0\\.1:\\d+ refused this side's certificate \\(alert"
                            + " certificate_unknown: it does not accept this side's certificate: not signed by a CA it"
                            + " trusts.*");
            TlsHandshakeException server = peers.serverFailure();
            assertThat(server.reason()).isEqualTo(Reason.UNKNOWN_CA);
            assertThat(server).hasMessageContaining("refused the client").hasMessageContaining("'CN=source'");
        }
    }

    /**
     * A refusing server sends its alert and closes; a client still writing its last flight then meets the reset
     * before it reads. The alert is waiting in its socket, and it is what the client reports.
     */
    @Test
    void aClientWhoseLastWriteMeetsTheResetStillReportsTheServersAlert() throws Exception {
        TlsParameters stranger = clientFromAnotherCa();
        try (TlsPeers peers = new TlsPeers().serve(SERVER)) {
            // The client's last flight is encrypted records (type 23): Certificate, CertificateVerify, Finished.
            // Only the first goes out; once the server has refused it, sent its alert and closed, the write of
            // the rest meets the reset.
            IOChannel resetAfterRefusal = new TricklingChannel(peers.connectPlain(), Long.MAX_VALUE) {
                @Override
                protected long implWritev(MemorySegment[] iov, int offset, int length, boolean zeroCopy)
                        throws IOException {
                    MemorySegment records = iov[offset];
                    if (records.get(ValueLayout.JAVA_BYTE, 0) != 23) {
                        return super.implWritev(iov, offset, length, zeroCopy);
                    }
                    // A record header: type, 2 bytes of version, 2 bytes of length (RFC 8446 section 5.1).
                    int firstRecord = 5 + ((records.get(ValueLayout.JAVA_BYTE, 3) & 0xff) << 8
                            | records.get(ValueLayout.JAVA_BYTE, 4) & 0xff);
                    MemorySegment certificate = records.asSlice(0, firstRecord);
                    while (certificate.byteSize() > 0) {
                        long n = super.implWritev(new MemorySegment[] {certificate}, 0, 1, false);
                        certificate = certificate.asSlice(n);
                    }
                    try {
                        peers.awaitServerEnd();
                    } catch (InterruptedException | TimeoutException e) {
                        throw new AssertionError("the server's handshake did not end", e);
                    }
                    throw new IOException("Connection reset by peer (the server closed after its alert)");
                }
            };

            assertThatThrownBy(() -> TlsChannel.client(resetAfterRefusal, "localhost", stranger))
                    .isInstanceOfSatisfying(TlsHandshakeException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.REFUSED_BY_PEER))
                    .hasMessageContaining("refused this side's certificate (alert certificate_unknown:");
            assertThat(peers.serverFailure().reason()).isEqualTo(Reason.UNKNOWN_CA);
        }
    }

    @Test
    void anExpiredServerCertificateIsRefusedAsExpired() throws Exception {
        Instant now = Instant.now();
        TlsParameters expired = TlsPeers.parameters(CA.issue("destination", TlsPeers.LOOPBACK_NAMES,
                now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1))));
        try (TlsPeers peers = new TlsPeers().serve(expired)) {
            assertThatThrownBy(() -> peers.connect("localhost", CLIENT))
                    .isInstanceOfSatisfying(TlsHandshakeException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.EXPIRED))
                    .hasMessageContaining("the peer's certificate 'CN=destination' expired on");
            assertThat(peers.serverFailure()).hasMessageContaining("refused this side's certificate (alert"
                    + " certificate_expired: this side's certificate (or a CA certificate in its chain) has expired");
        }
    }

    @Test
    void anExpiredClientCertificateIsRefusedByTheServerAsExpired() throws Exception {
        Instant now = Instant.now();
        TlsParameters expired = TlsPeers.parameters(CA.issue("source", TlsPeers.LOOPBACK_NAMES,
                now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1))));
        try (Arena arena = Arena.ofConfined();
             TlsPeers peers = new TlsPeers().serve(SERVER);
             TlsChannel client = peers.connect("localhost", expired)) {
            assertThatThrownBy(() -> client.readv(new MemorySegment[] {arena.allocate(16)}, 0, 1))
                    .isInstanceOfSatisfying(TlsHandshakeException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.REFUSED_BY_PEER))
                    .hasMessageContaining("refused this side's certificate (alert certificate_unknown: it does"
                            + " not accept this side's certificate: not signed by a CA it trusts, expired or not valid"
                            + " yet");
            assertThat(peers.serverFailure().reason()).isEqualTo(Reason.EXPIRED);
        }
    }

    @Test
    void aServerCertificateForAnotherHostIsRefusedAsWrongName() throws Exception {
        TlsParameters elsewhere = TlsPeers.parameters(CA.issue("destination", List.of("db.example.org", "10.1.2.3")));
        try (TlsPeers peers = new TlsPeers().serve(elsewhere)) {
            assertThatThrownBy(() -> peers.connect("127.0.0.1", CLIENT))
                    .isInstanceOfSatisfying(TlsHandshakeException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.WRONG_NAME))
                    .hasMessageContaining("made out to [DNS:db.example.org, IP:10.1.2.3], not to '127.0.0.1'");
            assertThat(peers.serverFailure()).hasMessageContaining("refused this side's certificate (alert"
                    + " certificate_unknown:");
        }
    }

    @Test
    void theExpectedHostnameCanBeNamedInsteadOfTheHostConnectedTo() throws Exception {
        TlsParameters elsewhere = TlsPeers.parameters(CA.issue("destination", List.of("db.example.org")));
        try (TlsPeers peers = new TlsPeers().serve(elsewhere);
             TlsChannel client = peers.connect("127.0.0.1", CLIENT.withHostname("db.example.org"))) {
            assertThat(client.session().peerIdentity().getName()).isEqualTo("CN=destination");
        }
    }

    /**
     * A server leaves the allowed identities to its application, which checks them after the handshake and tells
     * a refused client why in its own protocol (a migration destination does: migration's TlsMigrationTest).
     */
    @Test
    void aServerCompletesTheHandshakeWithAClientItsParametersDoNotAllowAndSaysWhy() throws Exception {
        TlsParameters picky = SERVER.withAllowedPeers(List.of("CN=other-source", "CN=backup, O=Example"));
        try (TlsPeers peers = new TlsPeers().serve(picky);
             TlsChannel client = peers.connect("localhost", CLIENT);
             TlsChannel server = peers.serverResult()) {
            assertThat(client.isOpen()).isTrue();
            assertThat(picky.refusal(server.session().peerIdentity())).isEqualTo("the peer's identity 'CN=source' is"
                    + " not among the allowed identities ['CN=other-source', 'CN=backup,O=Example']");
        }
    }

    @Test
    void aServerWhoseIdentityTheClientDoesNotAllowIsRefusedOnBothSides() throws Exception {
        try (TlsPeers peers = new TlsPeers().serve(SERVER)) {
            assertThatThrownBy(() -> peers.connect("localhost", CLIENT.withAllowedPeers(List.of("CN=backup"))))
                    .isInstanceOfSatisfying(TlsHandshakeException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.IDENTITY_NOT_ALLOWED))
                    .hasMessageContaining("the peer's identity 'CN=destination' is not among the allowed identities"
                            + " ['CN=backup']");
            TlsHandshakeException server = peers.serverFailure();
            assertThat(server.reason()).isEqualTo(Reason.REFUSED_BY_PEER);
            assertThat(server).hasMessageContaining("refused this side's certificate (alert certificate_unknown:");
        }
    }

    @Test
    void aClientWithoutACertificateIsNotAllowedWhereOnlyCertainIdentitiesAre() throws Exception {
        TlsParameters lenient = SERVER.withClientCertificateRequired(false).withAllowedPeers(List.of("CN=source"));
        try (TlsPeers peers = new TlsPeers().serve(lenient);
             TlsChannel client = peers.connect("localhost", CLIENT);
             TlsChannel server = peers.serverResult()) {
            // Not asked for one, the client sent no certificate.
            assertThat(server.session().peerIdentity()).isNull();
            assertThat(lenient.refusal(null)).isEqualTo("the peer sent no certificate, so its identity cannot be"
                    + " among the allowed identities");
            assertThat(client.session().peerIdentity().getName()).isEqualTo("CN=destination");
            assertThat(client.session().localIdentity()).as("it presented no certificate").isNull();
        }
    }

    @Test
    void anAllowedIdentityIsAcceptedWhateverItsSpelling() throws Exception {
        TlsParameters picky = SERVER.withAllowedPeers(List.of("cn=source"));
        try (TlsPeers peers = new TlsPeers().serve(picky);
             TlsChannel client = peers.connect("localhost", CLIENT);
             TlsChannel server = peers.serverResult()) {
            assertThat(server.session().peerIdentity().getName()).isEqualTo("CN=source");
            assertThat(picky.refusal(server.session().peerIdentity())).isNull();
            assertThat(client.isOpen()).isTrue();
        }
    }

    @Test
    void withoutAllowedIdentitiesEveryPeerIsAllowed() {
        assertThat(SERVER.refusal(new X500Principal("CN=anyone"))).isNull();
        assertThat(SERVER.refusal(null)).isNull();
    }

    @Test
    void aPlainClientIsRefusedAsNotSpeakingTls() throws Exception {
        try (Arena arena = Arena.ofConfined();
             TlsPeers peers = new TlsPeers().serve(SERVER);
             IOChannel plain = peers.connectPlain()) {
            plain.writeAll(MemorySegment.ofArray("MULTIFD\0hello".getBytes(StandardCharsets.US_ASCII)));

            TlsHandshakeException server = peers.serverFailure();
            assertThat(server.reason()).isEqualTo(Reason.NOT_TLS);
            assertThat(server).hasMessageContaining("does not speak TLS: its first bytes are 4d 55 4c 54 49 46 44"
                    + " 00 (\"MULTIFD.\")");
            // The plain client sees the connection end.
            assertThat(plain.readv(new MemorySegment[] {arena.allocate(64)}, 0, 1)).isEqualTo(-1);
        }
    }

    @Test
    void aTlsClientAgainstAPlainServerIsToldThePeerClosedDuringTheHandshake() throws Exception {
        try (Arena arena = Arena.ofShared(); TlsPeers peers = new TlsPeers()) {
            var plainServer = TlsPeers.inBackground(() -> {
                try (IOChannel plain = peers.acceptPlain()) {
                    // A plain peer reads what it takes for its own greeting, finds garbage, and hangs up.
                    MemorySegment first = arena.allocate(2);
                    plain.readFully(first);
                    return TlsChannel.looksLikeTls(first);
                }
            });
            assertThatThrownBy(() -> peers.connect("localhost", CLIENT))
                    .isInstanceOfSatisfying(TlsHandshakeException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.PEER_CLOSED))
                    .hasMessageContaining("during the TLS handshake")
                    .hasMessageContaining("configure TLS on both sides");
            assertThat(plainServer.get(10, TimeUnit.SECONDS)).as("the plain side can tell it was TLS").isTrue();
        }
    }

    @Test
    void aTlsClientAgainstAPlainServerThatAnswersIsRefusedAsNotTls() throws Exception {
        try (TlsPeers peers = new TlsPeers()) {
            var plainServer = TlsPeers.inBackground(() -> {
                try (IOChannel plain = peers.acceptPlain()) {
                    plain.writeAll(MemorySegment.ofArray("ERROR bad magic\n".getBytes(StandardCharsets.US_ASCII)));
                    plain.readv(new MemorySegment[] {MemorySegment.ofArray(new byte[4096])}, 0, 1);
                }
                return null;
            });
            assertThatThrownBy(() -> peers.connect("localhost", CLIENT))
                    .isInstanceOfSatisfying(TlsHandshakeException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.NOT_TLS))
                    .hasMessageContaining("the server 127.0.0.1:")
                    .hasMessageContaining("does not speak TLS");
            plainServer.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aClientThatStallsMidHandshakeTimesOut() throws Exception {
        try (Arena arena = Arena.ofConfined();
             TlsPeers peers = new TlsPeers().serve(SERVER.withHandshakeTimeout(Duration.ofMillis(300)));
             IOChannel stalling = peers.connectPlain()) {
            // The first 3 bytes of a TLS record header, then nothing.
            stalling.writeAll(MemorySegment.ofArray(new byte[] {22, 3, 1}));

            TlsHandshakeException server = peers.serverFailure();
            assertThat(server.reason()).isEqualTo(Reason.TIMEOUT);
            assertThat(server).hasMessageContaining("did not complete within 300 ms: the peer stalled");
            assertThat(stalling.readv(new MemorySegment[] {arena.allocate(64)}, 0, 1)).isEqualTo(-1);
        }
    }

    @Test
    void aServerThatStallsMidHandshakeTimesOut() throws Exception {
        try (TlsPeers peers = new TlsPeers()) {
            var silent = TlsPeers.inBackground(peers::acceptPlain);
            assertThatThrownBy(() -> peers.connect("localhost", CLIENT.withHandshakeTimeout(Duration.ofMillis(300))))
                    .isInstanceOfSatisfying(TlsHandshakeException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.TIMEOUT))
                    .hasMessageContaining("the TLS handshake with the server 127.0.0.1:");
            silent.get(10, TimeUnit.SECONDS).close();
        }
    }
}
