package migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.tls.ThrowawayAuthority;
import io.channel.tls.TlsParameters;
import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import migration.session.ZeroCopyPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Migrations with TLS on every channel, and the peers TLS refuses before they can write a page. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsMigrationTest {

    private static final long MIB = 1024 * 1024;
    private static final List<String> NAMES = List.of("localhost", "127.0.0.1", "::1");
    private static final ThrowawayAuthority CA = ThrowawayAuthority.create("migration test CA");
    private static final TlsParameters DESTINATION = TlsParameters.of(CA.issue("destination", NAMES).credentials());
    private static final TlsParameters SOURCE = TlsParameters.of(CA.issue("source", NAMES).credentials());

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
        ThrowawayAuthority other = ThrowawayAuthority.create("another CA");
        ThrowawayAuthority.Issued foreign = other.issue("intruder", NAMES);
        TlsParameters intruder = TlsParameters.of(io.channel.tls.TlsCredentials.of(List.of(CA.certificate()),
                List.of(foreign.certificate()), foreign.privateKey()));
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                     RamBlockProvider.anonymous(arena), params(2, DESTINATION))) {
            RamBlock source = RamBlock.anonymous("ram0", MIB, arena);
            try (MigrationSource migration = MigrationSource.start(destination.localAddress(), List.of(source),
                    params(2, intruder))) {
                assertThatThrownBy(migration::await)
                        .isInstanceOf(MigrationException.class)
                        .hasMessageContaining("TLS on the main channel")
                        .hasMessageContaining("refused this side's certificate");
            }
            Conditions.await("the refused source counted", Duration.ofSeconds(10),
                    () -> destination.stats().unidentifiedConnections() >= 1);
            assertThat(destination.blocks()).as("no block was opened, so no page written").isEmpty();
            destination.cancel();
            assertThatThrownBy(destination::await).isInstanceOf(MigrationException.class);
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
                assertThatThrownBy(migration::await).isInstanceOf(MigrationException.class);
            }
            Conditions.await("the plain source counted", Duration.ofSeconds(10),
                    () -> destination.stats().unidentifiedConnections() >= 1);
            assertThat(destination.blocks()).isEmpty();
            destination.cancel();
            assertThatThrownBy(destination::await).isInstanceOf(MigrationException.class);
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
            assertThat(destination.blocks()).isEmpty();
            destination.cancel();
        }
    }
}
