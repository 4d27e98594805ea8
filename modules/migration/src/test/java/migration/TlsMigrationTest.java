package migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.ChannelProviders;
import io.channel.tls.TlsChannel;
import io.channel.tls.TlsCredentials;
import io.channel.tls.TlsParameters;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import migration.protocol.Admission;
import migration.protocol.Frame;
import migration.protocol.FrameType;
import migration.protocol.MainChannel;
import migration.session.ZeroCopyPlan;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import migration.authority.ThrowawayAuthority;

/**
 * Migrations with TLS on every channel, and the peers refused before they can write a page: by TLS itself (a
 * certificate), or by the destination's ADMISSION frame after the handshake (an identity it does not allow).
 */
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
            assertThat(sent.verifiedBy()).isEqualTo(VerifiedBy.TLS);
            assertThat(received.verifiedBy()).isEqualTo(VerifiedBy.TLS);
            assertThat(received.toJson()).contains("\"verified\":true,\"verified-by\":\"tls\"");
            assertThat(sent.tls()).isEqualTo(new TlsStats(true, "TLSv1.3", "TLS_AES_128_GCM_SHA256", "CN=destination"));
            assertThat(received.tls()).isEqualTo(new TlsStats(true, "TLSv1.3", "TLS_AES_128_GCM_SHA256", "CN=source"));
            assertThat(sent.zeroCopy().reason()).isEqualTo(ZeroCopyPlan.COPYING_FOR_TLS);
            assertThat(sent.toJson()).contains("\"tls\":{\"enabled\":true,\"protocol\":\"TLSv1.3\","
                    + "\"cipher-suite\":\"TLS_AES_128_GCM_SHA256\",\"peer-identity\":\"CN=destination\"}");
            assertThat(MigrationThreads.live()).isEmpty();
        }
    }

    /** Verify on under TLS takes no page digests: TLS authenticated every byte (PROTOCOL.md §2.4). */
    @Test
    void verifyOnUnderTlsLeavesPageDigestsOutAndPlainTcpKeepsThem() {
        MigrationParameters on = params(2, SOURCE).withVerification(VerifyMode.ON);
        assertThat(on.digestsPages()).isFalse();
        assertThat(on.withTls(null).digestsPages()).isTrue();
        assertThat(on.withVerification(VerifyMode.OFF).withTls(null).digestsPages()).isFalse();
    }

    /** Verify final stays what it is under TLS: both sides digest their final memory and compare. */
    @Test
    void verifyFinalUnderTlsStillComparesTheFinalMemory() throws Exception {
        MigrationStats[] ends = migrate(params(2, SOURCE).withVerification(VerifyMode.FINAL),
                params(2, DESTINATION).withVerification(VerifyMode.FINAL));

        assertThat(ends[0].verifiedBy()).isEqualTo(VerifiedBy.FINAL_MEMORY);
        assertThat(ends[1].verifiedBy()).isEqualTo(VerifiedBy.FINAL_MEMORY);
    }

    /**
     * A destination that verifies takes TLS and the packet count as its proof even from a source that verifies
     * nothing itself: what TLS authenticated does not depend on the source's setting.
     */
    @Test
    void aVerifyingDestinationUnderTlsProvesTheMemoryIntactWhateverTheSourceVerifies() throws Exception {
        MigrationStats[] ends = migrate(params(1, SOURCE).withVerification(VerifyMode.OFF), params(1, DESTINATION));

        assertThat(ends[0].verifiedBy()).isEqualTo(VerifiedBy.TLS);
        assertThat(ends[1].verifiedBy()).isEqualTo(VerifiedBy.TLS);
    }

    /** {@return the source's and the destination's statistics of a 4 MiB migration, its memory checked equal} */
    private static MigrationStats[] migrate(MigrationParameters atSource, MigrationParameters atDestination)
            throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock source = RamBlock.anonymous("ram0", 4 * MIB, arena);
            TestMemory.fillMixed(source.memory(), atSource.channels());
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), atDestination);
                 MigrationSource migration = MigrationSource.start(destination.localAddress(), List.of(source),
                         atSource)) {
                MigrationStats[] ends = {migration.await(), destination.await()};
                assertThat(destination.blocks().getFirst().memory().mismatch(source.memory())).isEqualTo(-1);
                return ends;
            }
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
        TlsParameters picky = DESTINATION.withAllowedPeers(List.of("CN=other-source", "CN=backup, O=Example"));
        String destinationSaw = refused(picky, SOURCE, "the destination refused this source after the TLS handshake:"
                + " \"the identity 'CN=source' of the source's certificate is not among the identities the destination"
                + " allows\"");

        assertThat(destinationSaw).contains("the peer's identity 'CN=source' is not among the allowed identities"
                + " ['CN=other-source', 'CN=backup,O=Example']");
    }

    @Test
    void aSourceWithoutACertificateIsToldWhyWhereTheDestinationAllowsOnlyCertainIdentities() throws Exception {
        // Not asked for a certificate, the source sends none.
        String destinationSaw = refused(DESTINATION.withClientCertificateRequired(false)
                .withAllowedPeers(List.of("CN=source")), SOURCE, "the destination refused this source after the TLS"
                + " handshake: \"the source sent no certificate, and the destination allows only certain identities\"");

        assertThat(destinationSaw).contains("the peer sent no certificate, so its identity cannot be among the allowed"
                + " identities");
    }

    @Test
    void anAllowedSourceIsAdmittedWhateverTheSpellingOfItsIdentity() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock source = RamBlock.anonymous("ram0", MIB, arena);
            TestMemory.fillMixed(source.memory(), 2);
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), params(2, DESTINATION.withAllowedPeers(List.of("cn=source"))));
                 MigrationSource migration = MigrationSource.start(destination.localAddress(), List.of(source),
                         params(2, SOURCE))) {
                assertThat(migration.await().verified()).isTrue();
                assertThat(destination.await().tls().peerIdentity()).isEqualTo("CN=source");
                assertThat(destination.stats().unidentifiedConnections()).isZero();
            }
        }
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

    @Test
    void aDestinationThatAnswersTheHandshakeWithAnotherFrameFailsTheSourceSayingSo() throws Exception {
        Throwable failure = againstFakeDestination(params(1, SOURCE), channel -> {
            new MainChannel(channel).send(Frame.empty(FrameType.ACCEPT));
            readUntilTheSourceHangsUp(channel);
        });

        assertThat(failure).isInstanceOf(MigrationException.class)
                .hasMessageContaining("TLS on the main channel to ")
                .hasMessageEndingWith("the destination answered the TLS handshake with ACCEPT instead of ADMISSION");
    }

    @Test
    void aRefusalsReasonReachesTheSourceQuotedWithItsControlCharactersEscaped() throws Exception {
        Throwable failure = againstFakeDestination(params(1, SOURCE), channel ->
                new MainChannel(channel).send(new Admission(false, "not you\u001b[2J\nbye").encode()));

        assertThat(failure).isInstanceOf(MigrationException.class)
                .hasMessageEndingWith("the destination refused this source after the TLS handshake: \"not you\\x1b[2J"
                        + "\\nbye\"");
    }

    @Test
    void aDestinationThatNeverAnswersTheHandshakeFailsTheSourceWithinTheSetupTimeout() throws Exception {
        Throwable failure = againstFakeDestination(params(1, SOURCE).withSetupTimeout(Duration.ofMillis(500)),
                TlsMigrationTest::readUntilTheSourceHangsUp);

        assertThat(failure).isInstanceOf(MigrationException.class)
                .hasMessageContaining("and complete the TLS handshake within 500 ms: the peer stalled");
    }

    /** What a fake destination does on the source's first connection once the TLS handshake is complete. */
    private interface FakeAnswer {
        void answer(TlsChannel channel) throws Exception;
    }

    /**
     * Runs a source against a destination that completes the TLS handshake on the first connection and then
     * answers as told; {@return the source's failure}
     */
    private static Throwable againstFakeDestination(MigrationParameters sourceParams, FakeAnswer answer)
            throws Exception {
        try (Arena arena = Arena.ofShared();
             ChannelListener listener = ChannelProviders.named("copy").listen(EndToEndMigrationTest.loopback(),
                     ChannelOptions.defaults())) {
            CompletableFuture<Void> destination = CompletableFuture.runAsync(() -> {
                try (TlsChannel channel = TlsChannel.server(listener.accept(), DESTINATION)) {
                    answer.answer(channel);
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            RamBlock source = RamBlock.anonymous("ram0", MIB, arena);
            Throwable failure;
            try (MigrationSource migration = MigrationSource.start(listener.localAddress(), List.of(source),
                    sourceParams)) {
                failure = catchThrowable(migration::await);
            }
            destination.get(30, TimeUnit.SECONDS);
            assertThat(MigrationThreads.live()).isEmpty();
            return failure;
        }
    }

    /** Reads what the source sends (nothing, before an admission) until it closes the connection. */
    private static void readUntilTheSourceHangsUp(TlsChannel channel) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] one = {arena.allocate(4096)};
            while (channel.readv(one, 0, 1) >= 0) {
                // Nothing is expected; whatever comes is dropped.
            }
        } catch (IOException e) {
            // The source cut the connection: what was waited for.
        }
    }

    /**
     * Runs a migration that TLS or the destination's admission refuses and checks what the source says, that the
     * destination opened no block (so no page was written), and that nothing is left open.
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
