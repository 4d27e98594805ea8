package migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CancelAndPeerFailureTest {

    private static final long MIB = 1024 * 1024;
    /** 32 MiB at 8 MiB/s: four seconds, far longer than a cancel takes. */
    private static final MigrationParameters SLOW = MigrationParameters.defaults().withProvider("copy")
            .withChannels(2).withMaxBandwidth(8 * MIB);

    private static RamBlock randomBlock(Arena arena) {
        RamBlock block = RamBlock.anonymous("ram0", 32 * MIB, arena);
        TestMemory.fillMixed(block.memory(), 42);
        return block;
    }

    @Test
    void cancellingTheSourceMidTransferCancelsBothSidesWithinSeconds() throws Exception {
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                     RamBlockProvider.anonymous(arena), SLOW);
             MigrationSource migration = MigrationSource.start(destination.localAddress(), List.of(randomBlock(arena)),
                     SLOW)) {
            Conditions.await("2 MiB transferred", Duration.ofSeconds(20), () -> migration.stats().transferred() > 2 * MIB);
            long cancelled = System.nanoTime();
            migration.cancel();
            assertThatThrownBy(migration::await).isInstanceOf(MigrationException.class)
                    .hasMessage("cancelled by the source")
                    .satisfies(e -> assertThat(((MigrationException) e).stats().status())
                            .isEqualTo(MigrationStatus.CANCELLED));
            assertThatThrownBy(destination::await).isInstanceOf(MigrationException.class)
                    .hasMessage("cancelled by the source")
                    .satisfies(e -> {
                        MigrationStats stats = ((MigrationException) e).stats();
                        assertThat(stats.status()).isEqualTo(MigrationStatus.CANCELLED);
                        assertThat(stats.errorDescription()).isEqualTo("cancelled by the source");
                        assertThat(stats.remaining()).isPositive();
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - cancelled)).isLessThan(Duration.ofSeconds(3));
            assertThat(migration.stats().remaining()).isPositive();
        }
        assertThat(MigrationThreads.live()).isEmpty();
    }

    @Test
    void cancellingTheDestinationMidTransferCancelsBothSidesWithinSeconds() throws Exception {
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                     RamBlockProvider.anonymous(arena), SLOW);
             MigrationSource migration = MigrationSource.start(destination.localAddress(), List.of(randomBlock(arena)),
                     SLOW)) {
            Conditions.await("2 MiB received", Duration.ofSeconds(20),
                    () -> destination.stats().transferred() > 2 * MIB);
            long cancelled = System.nanoTime();
            destination.cancel();
            assertThatThrownBy(destination::await).hasMessage("cancelled by the destination");
            assertThatThrownBy(migration::await).hasMessage("cancelled by the destination")
                    .satisfies(e -> assertThat(((MigrationException) e).stats().status())
                            .isEqualTo(MigrationStatus.CANCELLED));
            assertThat(Duration.ofNanos(System.nanoTime() - cancelled)).isLessThan(Duration.ofSeconds(3));
        }
        assertThat(MigrationThreads.live()).isEmpty();
    }

    @Test
    void cancellingADestinationThatWaitsForItsSourceEndsIt() throws Exception {
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                     RamBlockProvider.anonymous(arena), MigrationParameters.defaults().withProvider("copy"))) {
            assertThat(destination.stats().status()).isEqualTo(MigrationStatus.SETUP);
            destination.cancel();
            assertThatThrownBy(destination::await).hasMessage("cancelled by the destination");
        }
        assertThat(MigrationThreads.live()).isEmpty();
    }

    @Test
    void aDestinationWhoseChannelsDieMidTransferFailsTheSourceWithinSeconds() throws Exception {
        try (Arena arena = Arena.ofShared();
             ServerSocketChannel server = ServerSocketChannel.open()
                     .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            InetSocketAddress address = (InetSocketAddress) server.getLocalAddress();
            List<SocketChannel> accepted = new ArrayList<>();
            try (MigrationSource migration = MigrationSource.start(address, List.of(randomBlock(arena)), SLOW)) {
                // A destination that accepts, answers the handshake, reads some data and then dies.
                for (int i = 0; i < 3; i++) {
                    accepted.add(server.accept());
                }
                SocketChannel main = null;
                for (SocketChannel socket : accepted) {
                    if (FakeSource.read(socket, 8).getInt() == FakeSource.MAIN_MAGIC) {
                        main = socket;
                    }
                }
                assertThat(main).isNotNull();
                FakeSource.frame(main, 2, new byte[0]);
                Conditions.await("1 MiB sent", Duration.ofSeconds(20), () -> migration.stats().transferred() > MIB);
                long died = System.nanoTime();
                for (SocketChannel socket : accepted) {
                    FakeSource.reset(socket);
                }
                assertThatThrownBy(migration::await).isInstanceOf(MigrationException.class)
                        .satisfies(e -> assertThat(((MigrationException) e).stats().status())
                                .isEqualTo(MigrationStatus.FAILED));
                assertThat(Duration.ofNanos(System.nanoTime() - died)).isLessThan(Duration.ofSeconds(5));
            }
        }
        assertThat(MigrationThreads.live()).isEmpty();
    }

    @Test
    void aDestinationThatStopsReadingWithoutClosingFailsTheSourceOnceItFallsSilent() throws Exception {
        try (Arena arena = Arena.ofShared();
             ServerSocketChannel server = ServerSocketChannel.open()
                     .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            InetSocketAddress address = (InetSocketAddress) server.getLocalAddress();
            List<SocketChannel> accepted = new ArrayList<>();
            try (MigrationSource migration = MigrationSource.start(address, List.of(randomBlock(arena)),
                    SLOW.withMaxBandwidth(0).withLivenessTimeout(Duration.ofSeconds(1)))) {
                for (int i = 0; i < 3; i++) {
                    accepted.add(server.accept());
                }
                for (SocketChannel socket : accepted) {
                    if (FakeSource.read(socket, 8).getInt() == FakeSource.MAIN_MAGIC) {
                        FakeSource.frame(socket, 2, new byte[0]);
                    }
                }
                // Never reads again, never sends a heartbeat: the source's writes block until its watchdog acts.
                assertThatThrownBy(migration::await).isInstanceOf(MigrationException.class)
                        .hasMessageStartingWith("no sign of life from the destination for 1 s");
            } finally {
                for (SocketChannel socket : accepted) {
                    socket.close();
                }
            }
        }
        assertThat(MigrationThreads.live()).isEmpty();
    }

    @Test
    void aSourceWithNoDestinationFailsNamingTheAddress() throws Exception {
        InetSocketAddress nowhere;
        try (ServerSocketChannel server = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            nowhere = (InetSocketAddress) server.getLocalAddress();
        }
        try (Arena arena = Arena.ofShared();
             MigrationSource migration = MigrationSource.start(nowhere, List.of(RamBlock.anonymous("ram0", MIB, arena)),
                     MigrationParameters.defaults().withProvider("copy"))) {
            assertThatThrownBy(migration::await).hasMessageStartingWith("cannot connect the main channel")
                    .hasMessageContaining(nowhere.getHostString() + ":" + nowhere.getPort());
        }
        assertThat(MigrationThreads.live()).isEmpty();
    }

}
