package migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.tls.TlsCredentials;
import io.channel.tls.TlsParameters;
import java.lang.foreign.Arena;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import migration.authority.ThrowawayAuthority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Migrations over a Unix domain socket: the multifd channels and the main channel all connect to one path. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnixSocketMigrationTest {

    private static final long MIB = 1024 * 1024;

    @TempDir
    Path directory;

    @ParameterizedTest(name = "with {0} channel(s)")
    @ValueSource(ints = {1, 4})
    void blocksArriveIntactOverAUnixDomainSocketAndItsFileIsGoneAfterwards(int channels) throws Exception {
        Path path = directory.resolve("migration.sock");
        MigrationParameters params = MigrationParameters.defaults().withChannels(channels);
        try (Arena arena = Arena.ofShared()) {
            RamBlock source = RamBlock.anonymous("ram0", 16 * MIB + 5, arena);
            TestMemory.fillMixed(source.memory(), channels);
            MigrationStats sent;
            MigrationStats received;
            try (MigrationDestination destination = MigrationDestination.listen(UnixDomainSocketAddress.of(path),
                    RamBlockProvider.anonymous(arena), params);
                 MigrationSource migration = MigrationSource.start(destination.localSocketAddress(),
                         List.of(source), params)) {
                sent = migration.await();
                received = destination.await();
                assertThat(destination.blocks().get(0).memory().mismatch(source.memory())).isEqualTo(-1);
                assertThat(destination.localAddress()).isNull();
            }
            assertThat(sent.status()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(received.verified()).isTrue();
            assertThat(sent.channels()).hasSize(channels);
            assertThat(sent.zeroCopy().reason()).contains("a Unix domain socket has no zero-copy send");
            assertThat(path).doesNotExist();
            assertThat(MigrationThreads.live()).isEmpty();
        }
    }

    @Test
    void zeroCopyRequiredOverAUnixDomainSocketIsRefusedBeforeAnythingIsSent() {
        try (Arena arena = Arena.ofShared()) {
            RamBlock source = RamBlock.anonymous("ram0", 4096, arena);

            assertThatThrownBy(() -> MigrationSource.start(UnixDomainSocketAddress.of(directory.resolve("none")),
                    List.of(source), MigrationParameters.defaults().withZeroCopy(ZeroCopyMode.ON)))
                    .isInstanceOf(MigrationException.class)
                    .hasMessageContaining("a Unix domain socket has none");
        }
    }

    @Test
    void tlsOverAUnixDomainSocketIsRefusedAtBothSides() throws Exception {
        ThrowawayAuthority.Issued issued = ThrowawayAuthority.create("unix test CA")
                .issue("destination", List.of("localhost"));
        TlsParameters tls = TlsParameters.of(TlsCredentials.of(List.of(issued.issuer()),
                List.of(issued.certificate()), issued.privateKey()));
        MigrationParameters params = MigrationParameters.defaults().withTls(tls);
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(directory.resolve("tls.sock"));
        try (Arena arena = Arena.ofShared()) {
            RamBlock source = RamBlock.anonymous("ram0", 4096, arena);

            assertThatThrownBy(() -> MigrationSource.start(address, List.of(source), params))
                    .isInstanceOf(MigrationException.class)
                    .hasMessageContaining("TLS over a Unix domain socket is not supported");
            assertThatThrownBy(() -> MigrationDestination.listen(address, RamBlockProvider.anonymous(arena), params))
                    .isInstanceOf(MigrationException.class)
                    .hasMessageContaining("TLS over a Unix domain socket is not supported");
        }
        assertThat(address.getPath()).doesNotExist();
    }

    @Test
    void aPathThatExistsIsRefusedNamingIt() throws Exception {
        Path path = java.nio.file.Files.createFile(directory.resolve("taken.sock"));
        try (Arena arena = Arena.ofShared()) {
            assertThatThrownBy(() -> MigrationDestination.listen(UnixDomainSocketAddress.of(path),
                    RamBlockProvider.anonymous(arena), MigrationParameters.defaults()))
                    .isInstanceOf(MigrationException.class)
                    .hasMessageStartingWith("cannot listen on unix:" + path + ": ");
        }
    }
}
