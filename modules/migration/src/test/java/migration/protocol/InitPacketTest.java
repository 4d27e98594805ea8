package migration.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InitPacketTest {

    private static final UUID ID = new UUID(0x0102030405060708L, 0x090a0b0c0d0e0f10L);

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment bytes = arena.allocate(InitPacket.SIZE);

    @AfterEach
    void close() {
        arena.close();
    }

    @Test
    void aPacketSurvivesEncodeAndDecode() throws Exception {
        new InitPacket(ID, 3).encode(bytes);
        assertThat(bytes.get(Wire.INT, 0)).isEqualTo(Wire.MULTIFD_MAGIC);
        assertThat(bytes.get(Wire.INT, 4)).isEqualTo(2);
        assertThat(bytes.get(Wire.INT, 24)).isEqualTo(3);
        assertThat(InitPacket.decode(bytes, "peer")).isEqualTo(new InitPacket(ID, 3));
    }

    @Test
    void aWrongMagicIsRejected() {
        new InitPacket(ID, 0).encode(bytes);
        bytes.set(Wire.INT, 0, 0x12345678);
        assertThatThrownBy(() -> InitPacket.decode(bytes, "peer")).isInstanceOf(ProtocolException.class)
                .hasMessage("multifd: init packet from peer has magic 0x12345678, expected 0x4d464450");
    }

    @Test
    void aWrongVersionIsRejected() {
        new InitPacket(ID, 0).encode(bytes);
        bytes.set(Wire.INT, 4, 1);
        assertThatThrownBy(() -> InitPacket.decode(bytes, "peer"))
                .hasMessage("multifd: received packet version 1 expected 2 (connection from peer)");
    }

    @Test
    void aNonZeroReservedFieldIsRejected() {
        new InitPacket(ID, 1).encode(bytes);
        bytes.set(Wire.INT, 28, 0x80);
        assertThatThrownBy(() -> InitPacket.decode(bytes, "peer"))
                .hasMessage("multifd: init packet of channel 1 has reserved field 0x80, expected 0");
    }

    @Test
    void aShortPacketIsRejected() {
        assertThatThrownBy(() -> InitPacket.decode(bytes.asSlice(0, 8), "peer"))
                .hasMessage("multifd: init packet from peer has 8 bytes, expected 32");
    }

    @Test
    void anotherMigrationsUuidIsAMismatch() {
        UUID other = new UUID(1, 2);
        assertThat(new InitPacket(other, 1).mismatch(ID)).isEqualTo("multifd: received uuid '" + other
                + "' and expected uuid '" + ID + "' for channel 1");
        assertThat(new InitPacket(ID, 1).mismatch(ID)).isNull();
    }

    @Test
    void aChannelIdBeyondTheCountIsRejected() {
        assertThatThrownBy(() -> new InitPacket(ID, 2).checkChannel(2))
                .hasMessage("multifd: received channel id 2 is greater than number of channels 2");
    }

    @Test
    void aNegativeChannelIdIsRejectedAsUnsigned() {
        assertThatThrownBy(() -> new InitPacket(ID, -1).checkChannel(2))
                .hasMessage("multifd: received channel id 4294967295 is greater than number of channels 2");
    }
}
