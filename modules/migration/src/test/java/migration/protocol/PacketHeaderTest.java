package migration.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PacketHeaderTest {

    private final Arena arena = Arena.ofConfined();
    private final PacketHeader header = new PacketHeader(arena);

    @AfterEach
    void close() {
        arena.close();
    }

    /** A data packet with one normal page at 0 and one zero page at 8192, number 5, in block 0 of 1. */
    private void dataPacket() {
        header.setData(0, 1, 1, 5);
        header.setOffset(0, 0);
        header.setOffset(1, 8192);
    }

    private void set(long offset, int value) {
        header.segment().set(Wire.INT, offset, value);
    }

    @Test
    void aDataPacketSurvivesEncodeAndDecode() throws Exception {
        dataPacket();
        MemorySegment bytes = header.bytes();
        assertThat(bytes.byteSize()).isEqualTo(32 + 16);
        assertThat(bytes.get(Wire.INT, 0)).isEqualTo(Wire.MULTIFD_MAGIC);
        header.checkFixed(0, 4, 1);
        header.checkOffsets(0, "ram0", 16384);
        assertThat(header.isSync()).isFalse();
        assertThat(header.block()).isZero();
        assertThat(header.normalPages()).isOne();
        assertThat(header.zeroPages()).isOne();
        assertThat(header.number()).isEqualTo(5);
        assertThat(header.offset(1)).isEqualTo(8192);
        assertThat(header.offsetsPart().byteSize()).isEqualTo(16);
    }

    @Test
    void offsetsSetInBulkAreReadBackInBulkInTheWiresByteOrder() throws Exception {
        header.setData(0, 2, 1, 5);
        header.setOffsets(0, new long[] {4096, 12288}, 2);
        header.setOffsets(2, new long[] {8192}, 1);
        assertThat(header.segment().get(Wire.LONG, 32 + 8)).as("big-endian on the wire").isEqualTo(12288);
        long[] offsets = new long[128];
        assertThat(header.readOffsets(offsets)).isEqualTo(3);
        assertThat(offsets).startsWith(4096, 12288, 8192);
        header.checkOffsets(0, "ram0", 16384, offsets);
    }

    @Test
    void anOffsetReadInBulkIsCheckedLikeOneReadFromTheHeader() {
        header.setData(0, 1, 0, 5);
        header.setOffsets(0, new long[] {16384}, 1);
        long[] offsets = new long[128];
        header.readOffsets(offsets);
        assertThatThrownBy(() -> header.checkOffsets(0, "ram0", 16384, offsets))
                .hasMessage("multifd channel 0, packet 5: offset 0x4000 outside block 'ram0' (size 0x4000)");
    }

    @Test
    void aSyncPacketSurvivesEncodeAndDecode() throws Exception {
        header.setSync(9);
        assertThat(header.bytes().byteSize()).isEqualTo(32);
        header.checkFixed(2, 8, 1);
        assertThat(header.isSync()).isTrue();
        assertThat(header.flags()).isEqualTo(PacketHeader.FLAG_SYNC);
    }

    @Test
    void aWrongMagicIsRejectedNamingThePreviousPacket() {
        dataPacket();
        set(0, 0xdeadbeef);
        assertThatThrownBy(() -> header.checkFixed(1, 4, 1)).isInstanceOf(ProtocolException.class)
                .hasMessage("multifd channel 1, packet after 4: received packet magic 0xdeadbeef, expected 0x4d464450");
    }

    @Test
    void aWrongVersionIsRejected() {
        dataPacket();
        set(4, 1);
        assertThatThrownBy(() -> header.checkFixed(1, 0, 1))
                .hasMessage("multifd channel 1, packet 5: received packet version 1, expected 2");
    }

    @Test
    void unknownFlagsAreRejected() {
        dataPacket();
        set(8, 0x81);
        assertThatThrownBy(() -> header.checkFixed(0, 0, 1))
                .hasMessage("multifd channel 0, packet 5: unknown flags 0x80 in flags 0x81 (known: 0x1)");
    }

    @Test
    void aPacketNumberNotAboveThePreviousIsRejected() {
        dataPacket();
        assertThatThrownBy(() -> header.checkFixed(0, 5, 1))
                .hasMessage("multifd channel 0, packet 5: packet number not above the previous one on this channel"
                        + " (5)");
    }

    @Test
    void packetNumbersCompareUnsigned() throws Exception {
        header.setData(0, 1, 0, 0x8000_0000_0000_0000L);
        header.checkFixed(0, 0x7fff_ffff_ffff_ffffL, 1);
        header.setData(0, 1, 0, 1);
        assertThatThrownBy(() -> header.checkFixed(0, 0x8000_0000_0000_0000L, 1))
                .hasMessage("multifd channel 0, packet 1: packet number not above the previous one on this channel"
                        + " (9223372036854775808)");
    }

    @Test
    void aSyncCarryingPagesIsRejected() {
        header.setSync(3);
        set(16, 1);
        assertThatThrownBy(() -> header.checkFixed(0, 0, 1))
                .hasMessage("multifd channel 0, packet 3: SYNC packet with block 0, 1 normal and 0 zero pages; a SYNC"
                        + " carries no pages");
    }

    @Test
    void aBlockIndexOutOfRangeIsRejected() {
        header.setData(2, 1, 0, 3);
        assertThatThrownBy(() -> header.checkFixed(0, 0, 2))
                .hasMessage("multifd channel 0, packet 3: block index 2 out of range (the source announced 2 blocks)");
    }

    @Test
    void tooManyNormalPagesAreRejected() {
        header.setData(0, 129, 0, 3);
        assertThatThrownBy(() -> header.checkFixed(0, 0, 1))
                .hasMessage("multifd channel 0, packet 3: received packet with 129 non-zero pages, which exceeds"
                        + " maximum expected pages 128");
    }

    @Test
    void aNegativeZeroPageCountIsRejectedAsUnsigned() {
        header.setData(0, 1, -1, 3);
        assertThatThrownBy(() -> header.checkFixed(0, 0, 1))
                .hasMessage("multifd channel 0, packet 3: received packet with 4294967295 zero pages, expected"
                        + " maximum 128");
    }

    @Test
    void moreThanAPacketsPagesTogetherAreRejected() {
        header.setData(0, 100, 100, 3);
        assertThatThrownBy(() -> header.checkFixed(0, 0, 1))
                .hasMessage("multifd channel 0, packet 3: received packet with 100 non-zero and 100 zero pages, more"
                        + " than the 128 a packet holds");
    }

    @Test
    void aDataPacketWithoutPagesIsRejected() {
        header.setData(0, 0, 0, 3);
        assertThatThrownBy(() -> header.checkFixed(0, 0, 1))
                .hasMessage("multifd channel 0, packet 3: data packet without pages");
    }

    @Test
    void anOffsetOutsideTheBlockIsRejected() {
        dataPacket();
        header.setOffset(0, 16384);
        assertThatThrownBy(() -> header.checkOffsets(0, "ram0", 16384))
                .hasMessage("multifd channel 0, packet 5: offset 0x4000 outside block 'ram0' (size 0x4000)");
    }

    @Test
    void aMisalignedZeroPageOffsetIsRejected() {
        dataPacket();
        header.setOffset(1, 100);
        assertThatThrownBy(() -> header.checkOffsets(0, "ram0", 16384))
                .hasMessage("multifd channel 0, packet 5: zero-page offset 0x64 in block 'ram0' is not a multiple of"
                        + " the page size 4096");
    }
}
