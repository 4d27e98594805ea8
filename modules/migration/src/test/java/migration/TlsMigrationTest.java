package migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.channel.tls.TlsCredentials;
import io.channel.tls.TlsParameters;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import migration.session.ZeroCopyPlan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import testkit.tls.ThrowawayAuthority;

/** Migrations with TLS on every channel, and the peers TLS refuses before they can write a page. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsMigrationTest {

    private static final long MIB = 1024 * 1024;
    private static final List<String> NAMES = List.of("localhost", "127.0.0.1", "::1");
    private static final ThrowawayAuthority CA = ThrowawayAuthority.create("migration test CA");
    private static final TlsParameters DESTINATION = parameters(CA.issue("destination", NAMES));
    private static final TlsParameters SOURCE = parameters(CA.issue("source", NAMES));

    /** {@return the defaults with credentials presenting this certificate and trusting only its issuer} */
    private static TlsParameters parameters(ThrowawayAuthority.Issued issued) {
        return TlsParameters.of(TlsCredentials.of(List.of(issued.issuer()), List.of(issued.certificate()),
                issued.privateKey()));
    }

    /** {@return TLS parameters with a certificate for {@code side} that expired a day ago} */
    private static TlsParameters expiredYesterday(String side) {
        Instant now = Instant.now();
        return parameters(CA.issue(side, NAMES, now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1))));
    }

    private static MigrationParameters params(int channels, TlsParameters tls) {
        return EndToEndMigrationTest.copying(channels).withTls(tls);
    }

    @ParameterizedTest(name = "with {0} channel(s)")
    @ValueSource(ints = {1, 4})
    void memoryArrivesIntactAndBothSidesReportTheSession(int channels) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock source = RamBlock.anonymous("ram0", 16 * MIB, arena);
            TestMemory.fillMixed(source.memory(), channels);
            MigrationStats sent;
            MigrationStats received;
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), params(channels, DESTINATION));
                 MigrationSource migration = MigrationSource.start(destination.localAddress(), List.of(source),
                         params(channels, SOURCE))) {
                sent = migration.await();
                received = destination.await();
                assertThat(destination.blocks().getFirst().memory().mismatch(source.memory())).isEqualTo(-1);
            }
            assertThat(sent.verified()).isTrue();
            assertThat(received.verified()).isTrue();
            assertThat(sent.tls()).isEqualTo(new TlsStats(true, "TLSv1.3", "TLS_AES_128_GCM_SHA256", "CN=destination"));
            assertThat(received.tls()).isEqualTo(new TlsStats(true, "TLSv1.3", "TLS_AES_128_GCM_SHA256", "CN=source"));
            assertThat(sent.zeroCopy().reason()).isEqualTo(ZeroCopyPlan.COPYING_FOR_TLS);
            assertThat(sent.toJson()).contains("\"tls\":{\"enabled\":true,\"protocol\":\"TLSv1.3\","
                    + "\"cipher-suite\":\"TLS_AES_128_GCM_SHA256\",\"peer-identity\":\"CN=destination\"}");
            assertThat(MigrationThreads.live()).isEmpty();
        }
    }

    @Test
    void zeroCopyOnWithTlsFailsBeforeAByteMovesWithQemusMessage() throws Exception {
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                     RamBlockProvider.anonymous(arena), params(1, DESTINATION))) {
            RamBlock source = RamBlock.anonymous("ram0", MIB, arena);

            assertThatThrownBy(() -> MigrationSource.start(destination.localAddress(), List.of(source),
                    params(1, SOURCE).withZeroCopy(ZeroCopyMode.ON)))
                    .isInstanceOf(MigrationException.class)
                    .hasMessage("Zero copy only available for non-compressed non-TLS multifd migration");
            assertThat(destination.stats().unidentifiedConnections()).isZero();
            destination.cancel();
        }
    }

    @Test
    void aSourceWithACertificateFromAnotherCaIsRefusedAndWritesNothing() throws Exception {
        ThrowawayAuthority.Issued foreign = ThrowawayAuthority.create("another CA").issue("intruder", NAMES);
        TlsParameters intruder = TlsParameters.of(TlsCredentials.of(List.of(CA.certificate()),
                List.of(foreign.certificate()), foreign.privateKey()));

        String destinationSaw = refused(DESTINATION, intruder, "refused this side's certificate (alert"
                + " certificate_unknown:");

        assertThat(destinationSaw).contains("the peer's certificate 'CN=intruder' is issued by 'CN=another CA',"
                + " which is not a trusted CA");
    }

    @Test
    void anExpiredDestinationCertificateIsRefusedByTheSource() throws Exception {
        String destinationSaw = refused(expiredYesterday("destination"), SOURCE, "the peer's certificate 'CN=destination' expired on");

        assertThat(destinationSaw).contains("refused this side's certificate (alert certificate_expired: this side's"
                + " certificate (or a CA certificate in its chain) has expired by the peer's clock)");
    }

    @Test
    void aSourceWhoseIdentityIsNotAllowedIsToldWhyAndWritesNothing() throws Exception {
        String destinationSaw = refused(DESTINATION.withAllowedPeers(List.of("CN=backup")), SOURCE,
                "refused this side after the TLS handshake: the identity 'CN=source' of this side's certificate is"
                        + " not among the identities the server allows");

        assertThat(destinationSaw).contains("the peer's identity 'CN=source' is not among the allowed identities"
                + " ['CN=backup']");
    }

    @Test
    void aSourceWithAnExpiredCertificateIsToldItsCertificateWasRefused() throws Exception {
        String destinationSaw = refused(DESTINATION, expiredYesterday("source"), "refused this side's certificate (alert"
                + " certificate_unknown: it does not accept this side's certificate: not signed by a CA it trusts,"
                + " expired or not valid yet");

        assertThat(destinationSaw).contains("the peer's certificate 'CN=source' expired on");
    }

    @Test
    void aDestinationCertificateForAnotherNameIsRefusedByTheSource() throws Exception {
        String destinationSaw = refused(DESTINATION, SOURCE.withHostname("db.example.org"),
                "not to 'db.example.org' (set the expected name with the TLS hostname option");

        assertThat(destinationSaw).contains("refused this side's certificate (alert certificate_unknown:");
    }

    @Test
    void aDestinationCertificateFromAnotherCaIsRefusedByTheSource() throws Exception {
        TlsParameters foreign = parameters(ThrowawayAuthority.create("another CA").issue("destination", NAMES));

        String destinationSaw = refused(foreign, SOURCE, "the peer's certificate 'CN=destination' is issued by"
                + " 'CN=another CA', which is not a trusted CA");

        assertThat(destinationSaw).contains("refused this side's certificate (alert certificate_unknown:");
    }

    @Test
    void aSourceThatStallsMidHandshakeIsDroppedWithTheReason() throws Exception {
        long socketsBefore = openSockets();
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                     RamBlockProvider.anonymous(arena),
                     params(1, DESTINATION.withHandshakeTimeout(Duration.ofMillis(300))));
             SocketChannel stalling = SocketChannel.open(destination.localAddress())) {
            // The first 3 bytes of a TLS record header, then nothing.
            stalling.write(ByteBuffer.wrap(new byte[] {22, 3, 1}));

            assertThat(stalling.read(ByteBuffer.allocate(64))).as("the destination hung up").isEqualTo(-1);
            assertThat(destinationFailure(destination)).contains("did not complete within 300 ms: the peer stalled");
        }
        assertThat(MigrationThreads.live()).isEmpty();
        assertThat(openSockets()).isEqualTo(socketsBefore);
    }

    @Test
    void aDestinationThatStallsMidHandshakeFailsTheSourceWithinTheSetupTimeout() throws Exception {
        long socketsBefore = openSockets();
        try (Arena arena = Arena.ofShared();
             ServerSocketChannel silent = ServerSocketChannel.open().bind(EndToEndMigrationTest.loopback())) {
            RamBlock source = RamBlock.anonymous("ram0", MIB, arena);
            try (MigrationSource migration = MigrationSource.start((InetSocketAddress) silent.getLocalAddress(),
                    List.of(source), params(1, SOURCE).withSetupTimeout(Duration.ofMillis(500)));
                 SocketChannel accepted = silent.accept()) {
                // The handshake's deadline is the setup's: either may say so first.
                assertThatThrownBy(migration::await).isInstanceOf(MigrationException.class)
                        .hasMessageContaining("TLS handshake")
                        .hasMessageContaining(" ms")
                        .hasMessageContaining("the peer stalled");
                assertThat(accepted.read(ByteBuffer.allocate(4096))).as("the ClientHello").isPositive();
            }
        }
        assertThat(MigrationThreads.live()).isEmpty();
        assertThat(openSockets()).isEqualTo(socketsBefore);
    }

    /**
     * Runs a migration the TLS handshake refuses and checks what the source says, that the destination opened
     * no block (so no page was written), and that nothing is left open.
     *
     * @return the destination's failure once cancelled, which names the last refused connection's reason
     */
    private static String refused(TlsParameters destinationTls, TlsParameters sourceTls, String sourceSays)
            throws Exception {
        long socketsBefore = openSockets();
        String destinationSaw;
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                     RamBlockProvider.anonymous(arena), params(2, destinationTls))) {
            RamBlock source = RamBlock.anonymous("ram0", MIB, arena);
            try (MigrationSource migration = MigrationSource.start(destination.localAddress(), List.of(source),
                    params(2, sourceTls))) {
                assertThatThrownBy(migration::await).isInstanceOf(MigrationException.class)
                        .hasMessageContaining("TLS on the main channel")
                        .hasMessageContaining(sourceSays);
            }
            destinationSaw = destinationFailure(destination);
        }
        assertThat(MigrationThreads.live()).isEmpty();
        assertThat(openSockets()).isEqualTo(socketsBefore);
        return destinationSaw;
    }

    /** Waits until the destination refused a connection, then cancels it; {@return its failure's message} */
    private static String destinationFailure(MigrationDestination destination) throws Exception {
        Conditions.await("the refused connection counted", Duration.ofSeconds(20),
                () -> destination.stats().unidentifiedConnections() >= 1);
        assertThat(destination.blocks()).as("no block was opened, so no page written").isEmpty();
        destination.cancel();
        Throwable failure = catchThrowable(destination::await);
        assertThat(failure).isInstanceOf(MigrationException.class)
                .hasMessageStartingWith("cancelled by the destination (")
                .hasMessageContaining(" that did not identify as this migration's dropped, the last: ");
        return failure.getMessage();
    }

    /** {@return how many sockets this process has open} Warmed up first: NIO keeps a socket pair once used. */
    private static long openSockets() throws IOException {
        try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return descriptors.map(TlsMigrationTest::target).filter(target -> target.startsWith("socket:")).count();
        }
    }

    private static String target(Path descriptor) {
        try {
            return Files.readSymbolicLink(descriptor).toString();
        } catch (IOException e) {
            return "closed while listed";
        }
    }

    @BeforeAll
    static void openWhatNioKeeps() throws IOException {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(EndToEndMigrationTest.loopback());
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SocketChannel accepted = server.accept()) {
            client.shutdownOutput();
            assertThat(accepted.read(ByteBuffer.allocate(1))).isEqualTo(-1);
        }
    }

    @Test
    void aPlainSourceAgainstATlsDestinationIsRefused() throws Exception {
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                     RamBlockProvider.anonymous(arena), params(1, DESTINATION))) {
            RamBlock source = RamBlock.anonymous("ram0", MIB, arena);
            try (MigrationSource migration = MigrationSource.start(destination.localAddress(), List.of(source),
                    params(1, null).withSetupTimeout(Duration.ofSeconds(5)))) {
                assertThatThrownBy(migration::await).isInstanceOf(MigrationException.class)
                        .hasMessageContaining("configure TLS on this side too");
            }
            assertThat(destinationFailure(destination)).contains("does not speak TLS: its first bytes are");
        }
    }

    @Test
    void aTlsSourceAgainstAPlainDestinationFailsDuringTheHandshake() throws Exception {
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                     RamBlockProvider.anonymous(arena), params(1, null))) {
            RamBlock source = RamBlock.anonymous("ram0", MIB, arena);
            try (MigrationSource migration = MigrationSource.start(destination.localAddress(), List.of(source),
                    params(1, SOURCE))) {
                assertThatThrownBy(migration::await).isInstanceOf(MigrationException.class)
                        .hasMessageContaining("TLS on the main channel")
                        .hasMessageContaining("configure TLS on both sides");
            }
            assertThat(destinationFailure(destination)).contains("speaks TLS (its first bytes are a TLS handshake"
                    + " record), but this destination runs without TLS");
        }
    }
}
