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

    /** A kernel whose memfd is descriptor 7 and whose {@code failing} call fails with ENOMEM. */
    private static final class MemfdKernel extends FakeKernel {
        final String failing;
        final List<String> calls = new ArrayList<>();

        MemfdKernel(String failing) {
            this.failing = failing;
        }

        private int answer(String call, int success) {
            calls.add(call);
            return call.equals(failing) ? -errno_h.ENOMEM() : success;
        }

        @Override
        public int memfdCreate(java.lang.foreign.MemorySegment name, int flags) {
            return answer("memfd_create", 7);
        }

        @Override
        public int ftruncate(int fd, long length) {
            return answer("ftruncate " + length, 0) < 0 ? -errno_h.ENOMEM() : 0;
        }

        @Override
        public int fcntl(int fd, int command, int argument) {
            return answer("fcntl", 0);
        }

        @Override
        public long mmap(long length, int prot, int flags, int fd, long offset) {
            return answer("mmap", 0) < 0 ? -errno_h.ENOMEM() : ADDRESS;
        }

        @Override
        public int munmap(long address, long length) {
            return answer("munmap " + length, 0);
        }

        @Override
        public int close(int fd) {
            return answer("close " + fd, 0);
        }
    }

    @ParameterizedTest(name = "{0} fails")
    @ValueSource(strings = {"fcntl", "mmap"})
    void aMemfdThatCannotBeSealedOrMappedIsClosedAndNothingStaysMapped(String failing) {
        MemfdKernel kernel = new MemfdKernel(failing);
        LinuxMemoryProvider provider = new LinuxMemoryProvider(kernel);

        try (Arena arena = Arena.ofShared()) {
            assertThatThrownBy(() -> provider.allocateForHandover("ram0", 5000, false, arena))
                    .isInstanceOf(java.io.IOException.class)
                    .hasMessageStartingWith("memfd 'ram0': " + failing)
                    .hasMessageEndingWith("fake error " + errno_h.ENOMEM());
        }

        assertThat(kernel.calls).last().isEqualTo("close 7");
        assertThat(kernel.calls).filteredOn(c -> c.startsWith("munmap")).isEmpty();
    }

    @Test
    void aMemfdThatCannotBeSizedSaysSoAndIsClosed() {
        MemfdKernel kernel = new MemfdKernel("ftruncate 4194304");
        LinuxMemoryProvider provider = new LinuxMemoryProvider(kernel);

        try (Arena arena = Arena.ofShared()) {
            assertThatThrownBy(() -> provider.allocateForHandover("ram0", 3 * MIB, true, arena))
                    .isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("ftruncate(4194304) (are there enough free huge pages?");
        }

        assertThat(kernel.calls).containsExactly("memfd_create", "ftruncate 4194304", "close 7");
    }

    @Test
    void aMappedMemfdIsUnmappedAndClosedOnceWithItsArena() throws java.io.IOException {
        MemfdKernel kernel = new MemfdKernel("none");
        LinuxMemoryProvider provider = new LinuxMemoryProvider(kernel);

        try (Arena arena = Arena.ofShared()) {
            assertThat(provider.allocateForHandover("ram0", 5000, false, arena).fileSize()).isEqualTo(8192);
            assertThat(kernel.calls).containsExactly("memfd_create", "ftruncate 8192", "fcntl", "mmap");
        }

        assertThat(kernel.calls).endsWith("munmap 8192", "close 7");
    }
}
