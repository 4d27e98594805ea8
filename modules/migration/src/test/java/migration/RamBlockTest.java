package migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class RamBlockTest {

    @Test
    void memoryOfAConfinedArenaIsRefusedWhenTheBlockIsMade() {
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> RamBlock.of("ram0", arena.allocate(4096)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("ram block 'ram0' must be memory every thread can access (the migration reads and"
                            + " writes it on its own threads), but its arena is confined to thread '"
                            + Thread.currentThread().getName() + "'; allocate or map it with Arena.ofShared(),"
                            + " Arena.ofAuto() or Arena.global()");
        }
    }

    @Test
    void anAnonymousBlockInAConfinedArenaIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> RamBlock.anonymous("ram0", 4096, arena))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("confined");
        }
    }

    @Test
    void memoryOfASharedArenaIsABlock() {
        try (Arena arena = Arena.ofShared()) {
            assertThat(RamBlock.of("ram0", arena.allocate(4096)).size()).isEqualTo(4096);
        }
    }

    @Test
    void aMemfdBlockIsRefusedWithTheReasonWhereOnlyThePortableMemoryProviderIsPresent() {
        // This module's tests run without io.channel.linux: the portable provider is the one in use.
        try (Arena arena = Arena.ofShared()) {
            assertThatThrownBy(() -> RamBlock.memfd("ram0", 4096, arena))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("memory provider 'portable' cannot make memory that can be handed to"
                            + " another process");
        }
    }

    @Test
    void anOrdinaryBlockCannotBeHandedOver() {
        try (Arena arena = Arena.ofShared()) {
            assertThat(RamBlock.of("ram0", arena.allocate(4096)).handoverMemory()).isEmpty();
        }
    }

    @Test
    void anAnonymousBlockWithHugePagesIsFreshMemoryThatReadsAsZero() {
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", 3 * 4096 + 5, true, arena);

            assertThat(block.size()).isEqualTo(3 * 4096 + 5);
            assertThat(block.knownZero()).isTrue();
            assertThat(block.memory().mismatch(MemorySegment.ofArray(new byte[3 * 4096 + 5]))).isEqualTo(-1);
        }
    }
}
