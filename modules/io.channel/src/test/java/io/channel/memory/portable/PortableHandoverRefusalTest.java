package io.channel.memory.portable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The portable memory provider says plainly that it cannot make memory that can be handed over. */
class PortableHandoverRefusalTest {

    private final PortableMemoryProvider provider = new PortableMemoryProvider();

    @Test
    void itSaysWhyItCannotAndWhichProviderCan() {
        assertThat(provider.handoverUnavailabilityCause()).hasMessageContaining("cannot make memory that can be"
                + " handed to another process").hasMessageContaining("memory provider 'linux'");
    }

    @Test
    void askingItToAllocateOrDeclareFailsWithThatReason() {
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> provider.allocateForHandover("ram0", 4096, false, arena))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("memory provider 'portable' cannot make memory that can be handed");
            assertThatThrownBy(() -> provider.declareForHandover(arena.allocate(4096), Path.of("/dev/shm/x"), arena))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("it allocates with Arena.allocate");
        }
    }
}
