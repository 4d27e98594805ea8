package tests.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.memory.HandoverMemory;
import io.channel.memory.PageMemory;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import migration.MigrationDestination;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationSource;
import migration.MigrationStats;
import migration.Ownership;
import migration.RamBlock;
import migration.RamBlockProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import tests.LinuxProvider;
import tests.Memories;

/**
 * A handed-over descriptor that is not what its message says is refused by the destination before anything is
 * mapped: the migration fails naming the block and what is wrong, no descriptor stays open, and the source keeps
 * its memory, writable.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HandoverRefusalTest {

    private static final long SIZE = 1L << 20;

    @TempDir
    Path directory;

    @BeforeEach
    void linux() throws Exception {
        LinuxProvider.required();
        // One handover first, so that what the JVM opens once (classes, native libraries) is open before counting.
        MigrationParameters params = MigrationParameters.defaults().withChannels(1);
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(
                     UnixDomainSocketAddress.of(directory.resolve("warm-up.sock")), RamBlockProvider.anonymous(arena),
                     params);
             MigrationSource source = MigrationSource.start(destination.localSocketAddress(),
                     List.of(RamBlock.memfd("warm-up", SIZE, arena)), params)) {
            source.await();
            destination.await();
        }
    }

    private static long openDescriptors() throws IOException {
        try (var list = Files.list(Path.of("/proc/self/fd"))) {
            return list.count();
        }
    }

    /** Migrates {@code block}, which the destination must refuse. */
    private MigrationStats migrate(RamBlock block, Arena arena, String socketName) throws Exception {
        MigrationParameters params = MigrationParameters.defaults().withChannels(1);
        try (MigrationDestination destination = MigrationDestination.listen(
                UnixDomainSocketAddress.of(directory.resolve(socketName)), RamBlockProvider.anonymous(arena), params);
             MigrationSource source = MigrationSource.start(destination.localSocketAddress(), List.of(block),
                     params)) {
            try {
                return source.await();
            } finally {
                assertThatThrownBy(destination::await).isInstanceOf(MigrationException.class);
                assertThat(destination.stats().ownership()).isEqualTo(Ownership.SOURCE);
                assertThat(destination.blocks().getFirst().size()).as("nothing mapped").isZero();
            }
        }
    }

    /**
     * Hands over a block whose descriptor is made by {@code lie} from a real memfd, expects the refusal, and checks
     * that no descriptor is left open and the source's memory stays writable.
     */
    private void refused(Function<HandoverMemory, HandoverMemory> lie, String expected) throws Exception {
        long before = openDescriptors();
        try (Arena arena = Arena.ofShared()) {
            HandoverMemory real = PageMemory.allocateForHandover("state", SIZE, false, arena);
            RamBlock block = RamBlock.of("state", lie.apply(real));
            Memories.fill(block.memory(), 9);

            assertThatThrownBy(() -> migrate(block, arena, "refused.sock"))
                    .isInstanceOf(MigrationException.class)
                    .hasMessageContaining("ram block 'state' was handed over, but its descriptor is refused: "
                            + expected)
                    .satisfies(e -> assertThat(((MigrationException) e).stats().ownership())
                            .isEqualTo(Ownership.SOURCE));
            block.memory().set(java.lang.foreign.ValueLayout.JAVA_BYTE, 0, (byte) 1);
            assertThat(HandoverMigrationTest.permissions(real.memory().address())).startsWith("rw");
        }
        assertThat(openDescriptors()).isEqualTo(before);
    }

    @Test
    void aDescriptorOfAnotherSizeThanAnnouncedIsRefused() throws Exception {
        refused(real -> new HandoverMemory(real.memory(), real.descriptor(), real.fileSize() * 2, true),
                "the descriptor's file holds " + SIZE + " bytes, but " + 2 * SIZE + " were announced");
    }

    @Test
    void anUnsealedFileAnnouncedAsSealedIsRefused() throws Exception {
        Path file = Files.createTempFile(Path.of("/dev/shm"), "refused", ".ram");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment mapping = sharedMapping(file, arena);
            HandoverMemory declared = PageMemory.provider().declareForHandover(mapping, file, arena);
            assertThat(declared.sealed()).isFalse();
            refused(real -> new HandoverMemory(declared.memory(), declared.descriptor(), declared.fileSize(), true),
                    "the descriptor's file was announced sealed, but its seals are F_SEAL_SEAL, not"
                            + " F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_SEAL");
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void aDescriptorOfAFileNotInMemoryIsRefused() throws Exception {
        Path file = directory.resolve("on-disk.ram");
        org.junit.jupiter.api.Assumptions.assumeTrue(!"tmpfs".equals(Files.getFileStore(directory).type()),
                "the temporary directory is on tmpfs");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(SIZE);
            int fd = descriptorOf(file);
            refused(real -> new HandoverMemory(real.memory(), fd, SIZE, false),
                    "the descriptor is not a file in memory (memfd, tmpfs or hugetlbfs)");
        }
    }

    @Test
    void anUnsealedTmpfsFileAnnouncedAsSuchIsHandedOver() throws Exception {
        Path file = Files.createTempFile(Path.of("/dev/shm"), "declared", ".ram");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment mapping = sharedMapping(file, arena);
            RamBlock block = RamBlock.of("state", PageMemory.provider().declareForHandover(mapping, file, arena));
            Memories.fill(block.memory(), 10);
            MigrationParameters params = MigrationParameters.defaults().withChannels(1);
            try (MigrationDestination destination = MigrationDestination.listen(
                    UnixDomainSocketAddress.of(directory.resolve("declared.sock")), RamBlockProvider.anonymous(arena),
                    params);
                 MigrationSource source = MigrationSource.start(destination.localSocketAddress(), List.of(block),
                         params)) {
                assertThat(source.await().ownership()).isEqualTo(Ownership.DESTINATION);
                destination.await();
                assertThat(destination.blocks().getFirst().memory().mismatch(block.memory())).isEqualTo(-1);
                assertThat(source.stats().normalPages()).isZero();
            }
        } finally {
            Files.delete(file);
        }
    }

    /** {@return a shared mapping of {@code file}, sized to {@link #SIZE} first} */
    private static MemorySegment sharedMapping(Path file, Arena arena) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(SIZE);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return channel.map(FileChannel.MapMode.READ_WRITE, 0, SIZE, arena);
        }
    }

    /** The descriptor number of an open {@code file}, found in {@code /proc/self/fd}. */
    private static int descriptorOf(Path file) throws IOException {
        Path real = file.toRealPath();
        try (var list = Files.list(Path.of("/proc/self/fd"))) {
            for (Path link : list.toList()) {
                try {
                    if (Files.readSymbolicLink(link).equals(real)) {
                        return Integer.parseInt(link.getFileName().toString());
                    }
                } catch (IOException e) {
                    // The listing's own descriptor, closed meanwhile.
                }
            }
        }
        throw new AssertionError("no open descriptor of " + file);
    }
}
