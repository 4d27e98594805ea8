package io.channel.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.channel.linux.internal.Syscalls;
import io.channel.linux.internal.gen.memfd_h;
import io.channel.memory.HandoverMemory;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LinuxMemoryProvider}'s memory that can be handed over, on the real kernel. */
class HandoverMemoryTest {

    private final LinuxMemoryProvider provider = new LinuxMemoryProvider();

    @BeforeEach
    void linuxOnly() {
        Throwable cause = provider.unavailabilityCause();
        assumeTrue(cause == null, () -> "Linux memory provider unavailable: " + cause);
        // Descriptors are counted here: the once-per-process handover rehearsal, which making handover memory
        // starts, runs and ends first (it opens sockets and a memfd meanwhile).
        HandoverRehearsal.startOnce();
        HandoverRehearsal.awaitEnd();
    }

    private static Path descriptorPath(int fd) {
        return Path.of("/proc/self/fd/" + fd);
    }

    private static long openDescriptors() throws IOException {
        try (var list = Files.list(Path.of("/proc/self/fd"))) {
            return list.count();
        }
    }

    @Test
    void theLinuxProviderCanHandOverMemory() {
        assertThat(provider.handoverUnavailabilityCause()).isNull();
    }

    @Test
    void aMemfdIsSealedAgainstShrinkingAndGrowingAndMapsTheSamePagesAsItsFile() throws IOException {
        try (Arena arena = Arena.ofShared()) {
            HandoverMemory memory = provider.allocateForHandover("ram0", 3 * 4096 + 5, false, arena);
            memory.memory().set(ValueLayout.JAVA_BYTE, 3 * 4096 + 4, (byte) 42);

            Syscalls sys = Syscalls.nativeSyscalls();
            assertThat(sys.fcntl(memory.descriptor(), memfd_h.F_GET_SEALS(), 0)).isEqualTo(
                    memfd_h.F_SEAL_SHRINK() | memfd_h.F_SEAL_GROW() | memfd_h.F_SEAL_SEAL());
            assertThat(memory.sealed()).isTrue();
            assertThat(memory.fileSize()).isEqualTo(4 * 4096);
            assertThat(memory.memory().byteSize()).isEqualTo(3 * 4096 + 5);
            assertThat(Files.readSymbolicLink(descriptorPath(memory.descriptor())).toString())
                    .startsWith("/memfd:ram0");
            try (FileChannel file = FileChannel.open(descriptorPath(memory.descriptor()), StandardOpenOption.READ)) {
                ByteBuffer one = ByteBuffer.allocate(1);
                file.read(one, 3 * 4096 + 4);
                assertThat(one.get(0)).isEqualTo((byte) 42);
            }
            assertThat(sys.ftruncate(memory.descriptor(), 4096)).isNegative();
        }
    }

    @Test
    void closingTheArenaClosesTheDescriptorAndUnmapsTheMemory() throws IOException {
        long before = openDescriptors();
        int fd;
        long address;
        try (Arena arena = Arena.ofShared()) {
            HandoverMemory memory = provider.allocateForHandover("ram0", 1 << 20, false, arena);
            fd = memory.descriptor();
            address = memory.memory().address();
            assertThat(openDescriptors()).isEqualTo(before + 1);
        }

        assertThat(openDescriptors()).isEqualTo(before);
        assertThat(Files.exists(descriptorPath(fd))).isFalse();
        assertThat(ProcMaps.holding(MemfdMemory.procSelfMaps(), address)).isNull();
    }

    @Test
    void aLongNameIsCutToWhatMemfdCreateTakes() throws IOException {
        try (Arena arena = Arena.ofShared()) {
            HandoverMemory memory = provider.allocateForHandover("é".repeat(127), 4096, false, arena);

            assertThat(Files.readSymbolicLink(descriptorPath(memory.descriptor())).toString())
                    .isEqualTo("/memfd:" + "é".repeat(124) + " (deleted)");
        }
    }

    @Test
    void aSharedMappingOfAFileInMemoryCanBeHandedOver() throws IOException {
        Path file = Files.createTempFile(Path.of("/dev/shm"), "handover", ".ram");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment mapping = map(file, 64 << 10, FileChannel.MapMode.READ_WRITE, arena);

            HandoverMemory memory = provider.declareForHandover(mapping, file, arena);

            assertThat(memory.memory().address()).isEqualTo(mapping.address());
            assertThat(memory.fileSize()).isEqualTo(64 << 10);
            assertThat(memory.sealed()).as("a tmpfs file cannot be sealed").isFalse();
            assertThat(Files.isSameFile(descriptorPath(memory.descriptor()), file)).isTrue();
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void aPrivateMappingIsRefusedAndItsDescriptorClosed() throws IOException {
        Path file = Files.createTempFile(Path.of("/dev/shm"), "handover", ".ram");
        long before = openDescriptors();
        try (Arena arena = Arena.ofShared()) {
            MemorySegment mapping = map(file, 4096, FileChannel.MapMode.PRIVATE, arena);

            assertThatThrownBy(() -> provider.declareForHandover(mapping, file, arena))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("is private (MAP_PRIVATE)");
            assertThat(openDescriptors()).isEqualTo(before);
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void aFileNotInMemoryIsRefused(@TempDir Path directory) throws IOException {
        assumeTrue(!"tmpfs".equals(Files.getFileStore(directory).type()), "the temporary directory is on tmpfs");
        Path file = directory.resolve("ram");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment mapping = map(file, 4096, FileChannel.MapMode.READ_WRITE, arena);

            assertThatThrownBy(() -> provider.declareForHandover(mapping, file, arena))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("is not a file in memory (tmpfs or hugetlbfs)");
        }
    }

    @Test
    void aMappingOfAnotherFileIsRefused() throws IOException {
        Path mapped = Files.createTempFile(Path.of("/dev/shm"), "handover", ".ram");
        Path other = Files.createTempFile(Path.of("/dev/shm"), "handover", ".other");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment mapping = map(mapped, 4096, FileChannel.MapMode.READ_WRITE, arena);

            assertThatThrownBy(() -> provider.declareForHandover(mapping, other, arena))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("does not map " + other);
        } finally {
            Files.delete(mapped);
            Files.delete(other);
        }
    }

    private static MemorySegment map(Path file, long size, FileChannel.MapMode mode, Arena arena)
            throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            return channel.map(mode, 0, size, arena);
        }
    }
}
