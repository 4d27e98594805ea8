package migration.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class HandoverMessageTest {

    private static final Hello HELLO = new Hello(UUID.randomUUID(), 1, 4096, 128,
            List.of(new Hello.BlockInfo("heap", 4096), new Hello.BlockInfo("state", 10_000)), false, List.of(1));

    private static MemorySegment encoded(HandoverMessage message, Arena arena) {
        MemorySegment bytes = arena.allocate(HandoverMessage.SIZE);
        message.encode(bytes);
        return bytes;
    }

    @Test
    void aMessageSurvivesEncodeAndDecode() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            HandoverMessage message = new HandoverMessage(1, true, 12_288);

            assertThat(HandoverMessage.decode(encoded(message, arena), HELLO, 1)).isEqualTo(message);
        }
    }

    @Test
    void aBlockNotHandedOverIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> HandoverMessage.decode(encoded(new HandoverMessage(0, true, 4096), arena),
                    HELLO, 1)).isInstanceOf(ProtocolException.class)
                    .hasMessage("handover channel: block index 0 is not one HELLO hands over [1]");
        }
    }

    @Test
    void aMessageWithoutExactlyOneDescriptorIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = encoded(new HandoverMessage(1, true, 12_288), arena);

            assertThatThrownBy(() -> HandoverMessage.decode(bytes, HELLO, 0))
                    .hasMessage("handover channel, ram block 'state': 0 descriptors came with the message, expected 1");
        }
    }

    @Test
    void aFileTooSmallForTheBlockOrReservedFlagsAreRefused() {
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> HandoverMessage.decode(encoded(new HandoverMessage(1, false, 8192), arena),
                    HELLO, 1)).hasMessage("handover channel, ram block 'state': a file of 8192 bytes cannot hold the"
                    + " block's 10000");
            MemorySegment flagged = encoded(new HandoverMessage(1, true, 12_288), arena);
            flagged.set(Wire.INT, 4, 3);
            assertThatThrownBy(() -> HandoverMessage.decode(flagged, HELLO, 1))
                    .hasMessage("handover channel, ram block 'state': reserved flags 0x2 are not zero");
        }
    }
}
