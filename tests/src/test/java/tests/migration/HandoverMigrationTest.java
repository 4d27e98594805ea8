package tests.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import migration.LiveParameters;
import migration.MigrationDestination;
import migration.MigrationParameters;
import migration.MigrationSource;
import migration.MigrationStats;
import migration.MigrationStatus;
import migration.Ownership;
import migration.RamBlock;
import migration.RamBlockProvider;
import migration.SourceHooks;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tests.LinuxProvider;
import tests.LiveWriters;
import tests.Memories;

/**
 * Same-host handover through the real modules in one JVM: a block made to be handed over ({@link RamBlock#memfd})
 * passes to the destination as a descriptor over the Unix domain socket and is mapped there, while an ordinary
 * block in the same migration is copied; after COMMIT the source's mapping of the handed-over block is read-only.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HandoverMigrationTest {

    private static final long MIB = 1L << 20;

    @TempDir
    Path directory;

    @BeforeEach
    void linux() {
        LinuxProvider.required();
    }

    /** {@return the permissions /proc/self/maps shows for the mapping that holds {@code address}} */
    static String permissions(long address) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            String[] range = line.substring(0, line.indexOf(' ')).split("-");
            if (Long.parseUnsignedLong(range[0], 16) <= address && address < Long.parseUnsignedLong(range[1], 16)) {
                return line.split("\\s+")[1];
            }
        }
        return "unmapped";
    }

    @Test
    void aMemfdBlockIsHandedOverAndAnOrdinaryOneCopiedInTheSameMigration() throws Exception {
        UnixDomainSocketAddress socket = UnixDomainSocketAddress.of(directory.resolve("handover.sock"));
        MigrationParameters params = MigrationParameters.defaults().withChannels(2);
        try (Arena arena = Arena.ofShared()) {
            RamBlock handed = RamBlock.memfd("state", 64 * MIB, arena);
            RamBlock copied = RamBlock.anonymous("heap", 8 * MIB + 5, arena);
            Memories.fill(handed.memory(), 3);
            Memories.fill(copied.memory(), 4);
            MigrationStats sent;
            MigrationStats received;
            try (MigrationDestination destination = MigrationDestination.listen(socket,
                    RamBlockProvider.anonymous(arena), params);
                 MigrationSource source = MigrationSource.start(destination.localSocketAddress(),
                         List.of(handed, copied), params)) {
                sent = source.await();
                received = destination.await();
                MemorySegment there = destination.blocks().get(0).memory();
                assertThat(there.address()).as("its own mapping").isNotEqualTo(handed.memory().address());
                assertThat(there.mismatch(handed.memory())).isEqualTo(-1);
                assertThat(destination.blocks().get(1).memory().mismatch(copied.memory())).isEqualTo(-1);
                assertThat(permissions(handed.memory().address())).as("the source gave up writing").startsWith("r-");
                assertThat(permissions(there.address())).startsWith("rw");
            }
            assertThat(sent.status()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(sent.ownership()).isEqualTo(Ownership.DESTINATION);
            assertThat(received.ownership()).isEqualTo(Ownership.DESTINATION);
            assertThat(received.verified()).isTrue();
            // Only the ordinary block's pages crossed the socket.
            assertThat((sent.normalPages() + sent.duplicatePages()) * 4096).isEqualTo(8 * MIB + 4096);
            assertThat(sent.channels()).as("the Linux provider's sockets pass descriptors")
                    .allSatisfy(channel -> assertThat(channel.provider()).isEqualTo("linux"));
            assertThat(sent.remaining()).isZero();
        }
    }

    @Test
    void aMemfdBlockToATcpDestinationIsCopied() throws Exception {
        MigrationParameters params = MigrationParameters.defaults().withChannels(2);
        try (Arena arena = Arena.ofShared()) {
            RamBlock handed = RamBlock.memfd("state", 4 * MIB, arena);
            Memories.fill(handed.memory(), 5);
            try (MigrationDestination destination = MigrationDestination.listen(
                    new InetSocketAddress("127.0.0.1", 0), RamBlockProvider.anonymous(arena), params);
                 MigrationSource source = MigrationSource.start(destination.localAddress(), List.of(handed),
                         params)) {
                MigrationStats sent = source.await();
                destination.await();
                assertThat(destination.blocks().getFirst().memory().mismatch(handed.memory())).isEqualTo(-1);
                assertThat((sent.normalPages() + sent.duplicatePages()) * 4096).isEqualTo(4 * MIB);
                assertThat(permissions(handed.memory().address())).startsWith("rw");
            }
        }
    }

    @Test
    void aLiveMigrationCopiesOnlyTheOrdinaryBlockInRoundsAndHandsTheOtherOverInThePause() throws Exception {
        UnixDomainSocketAddress socket = UnixDomainSocketAddress.of(directory.resolve("live.sock"));
        MigrationParameters params = MigrationParameters.defaults().withChannels(2);
        LiveParameters live = LiveParameters.defaults().withDowntimeLimit(Duration.ZERO);
        try (Arena arena = Arena.ofShared()) {
            RamBlock handed = RamBlock.memfd("state", 32 * MIB, arena);
            RamBlock copied = RamBlock.anonymous("heap", 16 * MIB, arena);
            Memories.fill(handed.memory(), 6);
            Memories.fill(copied.memory(), 7);
            LiveWriters onHanded = new LiveWriters(handed.memory(), 1, 0);
            LiveWriters onCopied = new LiveWriters(copied.memory(), 1, 0);
            SourceHooks both = new SourceHooks() {
                @Override
                public void pause() throws Exception {
                    onHanded.pause();
                    onCopied.pause();
                }

                @Override
                public void resume() {
                    onHanded.resume();
                    onCopied.resume();
                }

                @Override
                public void throttle(int percent) {
                    onHanded.throttle(percent);
                    onCopied.throttle(percent);
                }
            };
            onHanded.start(LiveWriters.Reporter.NONE);
            onCopied.start(LiveWriters.Reporter.NONE);
            MigrationStats sent;
            try (MigrationDestination destination = MigrationDestination.listen(socket,
                    RamBlockProvider.anonymous(arena), params);
                 MigrationSource source = MigrationSource.startLive(destination.localSocketAddress(),
                         List.of(handed, copied), params, live, both)) {
                while (source.stats().dirtySyncCount() < 3 && !source.stats().status().isFinal()) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
                source.switchover();
                sent = source.await();
                destination.await();
                assertThat(destination.blocks().get(0).memory().mismatch(handed.memory())).isEqualTo(-1);
                assertThat(destination.blocks().get(1).memory().mismatch(copied.memory())).isEqualTo(-1);
            } finally {
                onHanded.stopAll();
                onCopied.stopAll();
            }
            assertThat(sent.status()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(sent.live().trackers().getFirst().reason()).contains("handed over");
            assertThat(onHanded.writes()).as("the writers really wrote the handed-over block").isPositive();
            // Round 1 copied the ordinary block once; later rounds only its dirty pages: never the handed-over one.
            assertThat(sent.live().rounds().getFirst().pagesSent()).isEqualTo(16 * MIB / 4096);
        }
    }

    @Test
    void aLiveMigrationThatHandsEveryBlockOverPausesAtOnceWithoutARoundBefore() throws Exception {
        UnixDomainSocketAddress socket = UnixDomainSocketAddress.of(directory.resolve("all.sock"));
        MigrationParameters params = MigrationParameters.defaults().withChannels(1);
        try (Arena arena = Arena.ofShared()) {
            RamBlock handed = RamBlock.memfd("state", 16 * MIB, arena);
            Memories.fill(handed.memory(), 8);
            LiveWriters writers = new LiveWriters(handed.memory(), 1, 0);
            writers.start(LiveWriters.Reporter.NONE);
            MigrationStats sent;
            MigrationStats received;
            try (MigrationDestination destination = MigrationDestination.listen(socket,
                    RamBlockProvider.anonymous(arena), params);
                 MigrationSource source = MigrationSource.startLive(destination.localSocketAddress(),
                         List.of(handed), params, LiveParameters.defaults(), writers)) {
                sent = source.await();
                received = destination.await();
                assertThat(destination.blocks().getFirst().memory().mismatch(handed.memory())).isEqualTo(-1);
            } finally {
                writers.stopAll();
            }
            assertThat(sent.status()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(received.ownership()).isEqualTo(Ownership.DESTINATION);
            assertThat(sent.dirtySyncCount()).as("the last round only").isEqualTo(1);
            assertThat(sent.live().rounds()).singleElement().satisfies(round -> assertThat(round.pagesSent()).isZero());
            assertThat(sent.live().convergence()).contains("every block is handed over");
            assertThat(sent.normalPages() + sent.duplicatePages()).isZero();
            assertThat(permissions(handed.memory().address())).startsWith("r-");
        }
    }

    @Test
    void withNothingToHandOverASourceCopiesOverAUnixSocketWithTheCopyingProvider() throws Exception {
        UnixDomainSocketAddress socket = UnixDomainSocketAddress.of(directory.resolve("copy.sock"));
        MigrationParameters params = MigrationParameters.defaults().withChannels(2);
        try (Arena arena = Arena.ofShared()) {
            RamBlock copied = RamBlock.anonymous("heap", 4 * MIB, arena);
            Memories.fill(copied.memory(), 9);
            try (MigrationDestination destination = MigrationDestination.listen(socket,
                    RamBlockProvider.anonymous(arena), params);
                 MigrationSource source = MigrationSource.start(destination.localSocketAddress(), List.of(copied),
                         params)) {
                MigrationStats sent = source.await();
                destination.await();
                assertThat(destination.blocks().getFirst().memory().mismatch(copied.memory())).isEqualTo(-1);
                assertThat(sent.channels()).as("no descriptor to pass: the copying provider, as on loopback TCP")
                        .allSatisfy(channel -> assertThat(channel.provider()).isEqualTo("copy"));
                assertThat(sent.zeroCopy().reason()).contains("Unix domain socket");
            }
        }
    }
}
