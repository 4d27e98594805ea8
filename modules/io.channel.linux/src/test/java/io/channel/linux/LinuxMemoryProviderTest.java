package io.channel.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.channel.memory.PageMemory;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LinuxMemoryProviderTest {

    private final LinuxMemoryProvider provider = new LinuxMemoryProvider();

    @BeforeEach
    void linuxOnly() {
        Throwable cause = provider.unavailabilityCause();
        assumeTrue(cause == null, () -> "Linux memory provider unavailable: " + cause);
    }

    /** Resident kilobytes of the mapping that starts at {@code address}, from /proc/self/smaps. */
    private static long residentKib(long address) throws IOException {
        return Smaps.kib(address, "Rss");
    }

    private static boolean mapped(long address) throws IOException {
        String start = Long.toHexString(address) + "-";
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().anyMatch(l -> l.startsWith(start));
    }

    @Test
    void pageMemoryChoosesTheLinuxProvider() {
        assertThat(PageMemory.provider().name()).isEqualTo("linux");
        assertThat(PageMemory.provider().allocatesUntouched()).isTrue();
    }

    @Test
    void freshMemoryIsNotResidentUntilPopulated() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = provider.allocate(16L << 20, false, arena);

            assertThat(residentKib(memory.address())).isZero();
            assertThat(provider.populate(memory)).isTrue();
            assertThat(residentKib(memory.address())).isEqualTo(16L << 10);
        }
    }

    @Test
    void freshMemoryReadsAsZeroAndIsWritable() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = provider.allocate(3 * 4096 + 7, false, arena);
            memory.set(ValueLayout.JAVA_BYTE, memory.byteSize() - 1, (byte) 42);

            assertThat(memory.byteSize()).isEqualTo(3 * 4096 + 7);
            assertThat(memory.get(ValueLayout.JAVA_LONG, 8)).isZero();
            assertThat(memory.get(ValueLayout.JAVA_BYTE, memory.byteSize() - 1)).isEqualTo((byte) 42);
        }
    }

    @Test
    void hugePageMemoryIsAlignedToTwoMebibytes() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = provider.allocate(8L << 20, true, arena);

            assertThat(memory.address() % (2L << 20)).isZero();
        }
    }

    @Test
    void closingTheArenaUnmapsTheMemory() throws IOException {
        long address;
        try (Arena arena = Arena.ofConfined()) {
            address = provider.allocate(4L << 20, false, arena).address();
            assertThat(mapped(address)).isTrue();
        }
        assertThat(mapped(address)).isFalse();
    }

    @Test
    void populatingKeepsTheContent() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = provider.allocate(1L << 20, false, arena);
            memory.set(ValueLayout.JAVA_LONG, 4096 * 5, 0x1122334455667788L);

            provider.populate(memory.asSlice(4096 * 5 + 3, 100));

            assertThat(memory.get(ValueLayout.JAVA_LONG, 4096 * 5)).isEqualTo(0x1122334455667788L);
        }
    }
}
