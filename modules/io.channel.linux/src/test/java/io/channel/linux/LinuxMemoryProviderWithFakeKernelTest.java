package io.channel.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.linux.internal.gen.errno_h;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link LinuxMemoryProvider} over a fake kernel: what happens to a mapping when a call on it fails. */
class LinuxMemoryProviderWithFakeKernelTest {

    /** Page-aligned, but 4 KiB past a 2 MiB boundary, so a huge-page allocation trims both ends. */
    private static final long ADDRESS = 0x7f00_0000_1000L;
    private static final long MIB = 1L << 20;

    /** A kernel whose mmap hands out {@link #ADDRESS} and whose n-th munmap fails with EINVAL. */
    private static final class MemoryKernel extends FakeKernel {
        final List<String> munmaps = new ArrayList<>();
        final int failingMunmap;

        MemoryKernel(int failingMunmap) {
            this.failingMunmap = failingMunmap;
        }

        @Override
        public long mmapAnonymous(long length, int prot, int flags) {
            return ADDRESS;
        }

        @Override
        public int munmap(long address, long length) {
            munmaps.add(Long.toHexString(address) + "+" + length);
            return munmaps.size() - 1 == failingMunmap ? -errno_h.EINVAL() : 0;
        }

        @Override
        public int madvise(long address, long length, int advice) {
            return 0;
        }
    }

    @ParameterizedTest(name = "trim {0} fails")
    @ValueSource(ints = {0, 1})
    void aFailingTrimReleasesTheWholeOversizedMapping(int failingTrim) {
        MemoryKernel kernel = new MemoryKernel(failingTrim);
        LinuxMemoryProvider provider = new LinuxMemoryProvider(kernel);

        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> provider.allocate(4 * MIB, true, arena))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("munmap(")
                    .hasMessageContaining("fake error " + errno_h.EINVAL());
        }

        assertThat(kernel.munmaps).last().isEqualTo(Long.toHexString(ADDRESS) + "+" + (6 * MIB));
    }

    @Test
    void trimsThatSucceedLeaveTheAlignedMiddleMapped() {
        MemoryKernel kernel = new MemoryKernel(-1);
        LinuxMemoryProvider provider = new LinuxMemoryProvider(kernel);
        long start = 0x7f00_0020_0000L;

        try (Arena arena = Arena.ofConfined()) {
            assertThat(provider.allocate(4 * MIB, true, arena).address()).isEqualTo(start);
            assertThat(kernel.munmaps).containsExactly(Long.toHexString(ADDRESS) + "+" + (start - ADDRESS),
                    Long.toHexString(start + 4 * MIB) + "+" + (ADDRESS + 6 * MIB - start - 4 * MIB));
        }
        assertThat(kernel.munmaps).last().isEqualTo(Long.toHexString(start) + "+" + (4 * MIB));
    }
}
