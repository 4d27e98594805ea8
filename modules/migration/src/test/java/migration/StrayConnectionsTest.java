package migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A waiting destination meets connections that are not the migration's: only its own channels count. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StrayConnectionsTest {

    private static final long MIB = 1024 * 1024;

    /**
     * Migrates one MiB into {@code destination} over one multifd channel (two connections: what a bound of two
     * unidentified connections lets in) and checks that both sides completed.
     */
    private static void migrateInto(MigrationDestination destination, Arena arena) throws Exception {
        RamBlock block = RamBlock.anonymous("ram0", MIB, arena);
        TestMemory.fillMixed(block.memory(), 7);
        try (MigrationSource source = MigrationSource.start(destination.localAddress(), List.of(block),
                EndToEndMigrationTest.copying(1))) {
            assertThat(source.await().status()).isEqualTo(MigrationStatus.COMPLETED);
        }
        assertThat(destination.await().verified()).isTrue();
    }

    @Test
    void aConnectAndCloseBeforeTheRealSourceIsCountedAndDoesNotEndTheDestination() throws Exception {
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                     RamBlockProvider.anonymous(arena), EndToEndMigrationTest.copying(2))) {
            SocketChannel.open(destination.localAddress()).close();
            Conditions.await("the stray connection counted", Duration.ofSeconds(10),
                    () -> destination.stats().unidentifiedConnections() == 1);
            assertThat(destination.stats().status()).isEqualTo(MigrationStatus.SETUP);
            migrateInto(destination, arena);
            assertThat(destination.stats().unidentifiedConnections()).isOne();
        }
        assertThat(MigrationThreads.live()).isEmpty();
    }

    @Test
    void anIdleConnectionOpenedJustBeforeTheRealSourceDoesNotHoldItUp() throws Exception {
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                     RamBlockProvider.anonymous(arena), EndToEndMigrationTest.copying(2)
                             .withSetupTimeout(Duration.ofSeconds(30)));
             SocketChannel idle = SocketChannel.open(destination.localAddress())) {
            migrateInto(destination, arena);
            assertThat(destination.stats().unidentifiedConnections()).as("dropped once the migration began")
                    .isOne();
            assertThat(idle.read(ByteBuffer.allocate(1))).as("closed by the destination").isEqualTo(-1);
        }
        assertThat(MigrationThreads.live()).isEmpty();
    }

    @Test
    void aConnectionThatNeverIdentifiesItselfIsDroppedAfterTheSetupTimeout() throws Exception {
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                     RamBlockProvider.anonymous(arena), EndToEndMigrationTest.copying(2)
                             .withSetupTimeout(Duration.ofMillis(300)));
             SocketChannel idle = SocketChannel.open(destination.localAddress())) {
            assertThat(idle.read(ByteBuffer.allocate(1))).as("closed by the destination").isEqualTo(-1);
            assertThat(destination.stats().unidentifiedConnections()).isOne();
            assertThat(destination.stats().status()).as("still waiting").isEqualTo(MigrationStatus.SETUP);
            migrateInto(destination, arena);
        }
        assertThat(MigrationThreads.live()).isEmpty();
    }

    @Test
    void connectionsBeyondTheBoundOfUnidentifiedOnesAreClosedAtOnceAndCounted() throws Exception {
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                     RamBlockProvider.anonymous(arena), EndToEndMigrationTest.copying(2)
                             .withSetupTimeout(Duration.ofSeconds(30)).withMaxUnidentifiedConnections(2))) {
            SocketChannel first = SocketChannel.open(destination.localAddress());
            SocketChannel second = SocketChannel.open(destination.localAddress());
            try (SocketChannel third = SocketChannel.open(destination.localAddress())) {
                assertThat(third.read(ByteBuffer.allocate(1))).as("refused: closed at once").isEqualTo(-1);
            }
            assertThat(destination.stats().unidentifiedConnections()).isOne();
            assertThat(destination.stats().status()).as("still waiting").isEqualTo(MigrationStatus.SETUP);
            first.close();
            second.close();
            Conditions.await("the idle connections counted", Duration.ofSeconds(10),
                    () -> destination.stats().unidentifiedConnections() == 3);
            migrateInto(destination, arena);
        }
        assertThat(MigrationThreads.live()).isEmpty();
    }
}
