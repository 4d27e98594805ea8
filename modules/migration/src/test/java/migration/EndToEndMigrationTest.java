package migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EndToEndMigrationTest {

    private static final long MIB = 1024 * 1024;

    static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    static MigrationParameters copying(int channels) {
        return MigrationParameters.defaults().withChannels(channels).withProvider("copy");
    }

    @ParameterizedTest(name = "with {0} channel(s)")
    @ValueSource(ints = {1, 2, 8})
    void sixtyFourMebibytesOfRandomAndZeroPagesArriveIntact(int channels) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock source = RamBlock.anonymous("ram0", 64 * MIB, arena);
            TestMemory.fillMixed(source.memory(), channels);
            MigrationStats sent;
            MigrationStats received;
            try (MigrationDestination destination = MigrationDestination.listen(loopback(),
                    RamBlockProvider.anonymous(arena), copying(channels));
                 MigrationSource migration = MigrationSource.start(destination.localAddress(), List.of(source),
                         copying(channels))) {
                sent = migration.await();
                received = destination.await();
                assertThat(destination.blocks()).hasSize(1);
                assertThat(destination.blocks().get(0).memory().mismatch(source.memory())).isEqualTo(-1);
            }
            long pages = 64 * MIB / MigrationProtocol.PAGE_SIZE;
            assertThat(sent.status()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(sent.verified()).isTrue();
            assertThat(received.verified()).isTrue();
            assertThat(sent.verifiedBy()).isEqualTo(VerifiedBy.PAGE_DIGESTS);
            assertThat(received.verifiedBy()).isEqualTo(VerifiedBy.PAGE_DIGESTS);
            assertThat(sent.normalPages() + sent.duplicatePages()).isEqualTo(pages);
            assertThat(received.normalPages()).isEqualTo(sent.normalPages());
            assertThat(received.duplicatePages()).isEqualTo(sent.duplicatePages());
            assertThat(sent.duplicatePages()).isGreaterThan(pages / 5);
            assertThat(sent.normalBytes()).isEqualTo(sent.normalPages() * MigrationProtocol.PAGE_SIZE);
            assertThat(sent.remaining()).isZero();
            assertThat(sent.total()).isEqualTo(64 * MIB);
            assertThat(sent.channels()).hasSize(channels);
            assertThat(sent.channels()).allSatisfy(c -> assertThat(c.packets()).isPositive());
            assertThat(sent.multifdBytes()).isGreaterThan(sent.normalBytes());
            assertThat(sent.transferred()).isGreaterThan(sent.multifdBytes());
            assertThat(sent.dirtySyncCount()).isEqualTo(1);
            assertThat(received.dirtySyncCount()).isEqualTo(1);
            assertThat(MigrationThreads.live()).isEmpty();
        }
    }

    @Test
    void blocksWhoseSizeIsNotAPageMultipleArriveIntactOverStaleMemory() throws Exception {
        long[] sizes = {MIB + 123, 5000, 1, 4096 * 3};
        try (Arena arena = Arena.ofShared()) {
            List<RamBlock> sources = new java.util.ArrayList<>();
            List<RamBlock> targets = new java.util.ArrayList<>();
            for (int i = 0; i < sizes.length; i++) {
                RamBlock block = RamBlock.anonymous("block-" + i, sizes[i], arena);
                TestMemory.fillMixed(block.memory(), 100 + i);
                sources.add(block);
                // Stale, non-zero memory at the destination: zero pages must really be written.
                MemorySegment stale = arena.allocate(sizes[i]);
                stale.fill((byte) 0x5a);
                targets.add(RamBlock.of("block-" + i, stale));
            }
            try (MigrationDestination destination = MigrationDestination.listen(loopback(),
                    RamBlockProvider.fixed(targets), copying(3));
                 MigrationSource migration = MigrationSource.start(destination.localAddress(), sources, copying(3))) {
                MigrationStats sent = migration.await();
                destination.await();
                assertThat(sent.total()).isEqualTo(MIB + 123 + 5000 + 1 + 4096 * 3);
                assertThat(sent.normalPages() + sent.duplicatePages()).isEqualTo(257 + 2 + 1 + 3);
            }
            for (int i = 0; i < sizes.length; i++) {
                assertThat(targets.get(i).memory().mismatch(sources.get(i).memory())).as("block %d", i).isEqualTo(-1);
            }
        }
    }

    @Test
    void aMappedFileMigratesIntoAFile(@TempDir Path dir) throws Exception {
        Path in = dir.resolve("in.img");
        Path out = dir.resolve("out.img");
        long size = 3 * MIB + 17;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment content = arena.allocate(size);
            TestMemory.fillMixed(content, 7);
            Files.write(in, content.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            Files.write(out, new byte[] {1, 2, 3});
        }
        try (Arena arena = Arena.ofShared()) {
            RamBlock source = RamBlock.mapFile("disk", in, size, false, arena);
            RamBlockFile target = RamBlockProvider.file(out, arena);
            try (MigrationDestination destination = MigrationDestination.listen(loopback(), target, copying(2));
                 MigrationSource migration = MigrationSource.start(destination.localAddress(), List.of(source),
                         copying(2))) {
                migration.await();
                destination.await();
                target.commit();
            }
        }
        assertThat(Files.mismatch(in, out)).isEqualTo(-1);
    }

    @Test
    void withoutVerificationTheStatsSayNotVerified() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock source = RamBlock.anonymous("ram0", MIB, arena);
            TestMemory.fillMixed(source.memory(), 3);
            try (MigrationDestination destination = MigrationDestination.listen(loopback(),
                    RamBlockProvider.anonymous(arena), copying(1));
                 MigrationSource migration = MigrationSource.start(destination.localAddress(), List.of(source),
                         copying(1).withVerify(false))) {
                assertThat(migration.await().verified()).isFalse();
                assertThat(destination.await().verified()).isFalse();
                assertThat(destination.blocks().get(0).memory().mismatch(source.memory())).isEqualTo(-1);
            }
        }
    }

    @Test
    void aBlockTheDestinationDoesNotHaveFailsBothSidesNamingIt() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock source = RamBlock.anonymous("ram1", MIB, arena);
            RamBlock other = RamBlock.anonymous("ram0", MIB, arena);
            try (MigrationDestination destination = MigrationDestination.listen(loopback(),
                    RamBlockProvider.fixed(List.of(other)), copying(2));
                 MigrationSource migration = MigrationSource.start(destination.localAddress(), List.of(source),
                         copying(2))) {
                assertThatThrownBy(migration::await).isInstanceOf(MigrationException.class)
                        .hasMessageContaining("unknown ram block 'ram1'");
                assertThatThrownBy(destination::await).isInstanceOf(MigrationException.class)
                        .hasMessageContaining("unknown ram block 'ram1'");
            }
            assertThat(MigrationThreads.live()).isEmpty();
        }
    }

    @Test
    void aBlockOfAnotherSizeAtTheDestinationFailsNamingBothSizes() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock source = RamBlock.anonymous("ram0", 2 * MIB, arena);
            RamBlock target = RamBlock.anonymous("ram0", MIB, arena);
            try (MigrationDestination destination = MigrationDestination.listen(loopback(),
                    RamBlockProvider.fixed(List.of(target)), copying(1));
                 MigrationSource migration = MigrationSource.start(destination.localAddress(), List.of(source),
                         copying(1))) {
                assertThatThrownBy(migration::await).hasMessageContaining(
                        "ram block 'ram0' has size 1048576 at the destination but 2097152 at the source");
                assertThatThrownBy(destination::await).isInstanceOf(MigrationException.class);
            }
        }
    }
}
