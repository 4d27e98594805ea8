package io.channel.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class PageMemoryTest {

    @Test
    void withoutAPlatformProviderThePortableOneAllocatesAlignedZeroedMemory() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment memory = PageMemory.allocate(3 * 4096 + 5, true, arena);

            assertThat(PageMemory.provider().name()).isEqualTo("portable");
            assertThat(memory.address() % 4096).isZero();
            assertThat(memory.byteSize()).isEqualTo(3 * 4096 + 5);
            assertThat(memory.mismatch(arena.allocate(memory.byteSize()))).isEqualTo(-1);
        }
    }

    @Test
    void thePortableProviderCannotPopulate() {
        try (Arena arena = Arena.ofConfined()) {
            assertThat(PageMemory.populate(arena.allocate(4096))).isFalse();
        }
    }

    @Test
    void anEmptySizeIsRejected() {
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> PageMemory.allocate(0, false, arena)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
