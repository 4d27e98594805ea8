package migration.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import migration.MigrationProtocol;

/**
 * Fuzzes every decoder of bytes a peer sends (PROTOCOL.md): main-channel frames, HELLO, COMPLETE, RESULT,
 * ROUND_END, ADMISSION, the multifd init packet and the packet header with its offsets. For any input a decoder
 * returns a message or throws a {@link ProtocolException} (the frame reader also an {@link IOException} for a stream cut
 * short), nothing else; what it accepts re-encodes to the same bytes, and a packet header that passes its checks
 * only names whole pages inside its block.
 *
 * <p>{@code mvn verify} replays the committed inputs under {@code ProtocolFuzzTestInputs/<target>/} (and every
 * finding saved there) as regression tests; the README ("Fault tests and fuzzing") says how to fuzz.
 */
class ProtocolFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void mainChannelFrames(FuzzedDataProvider data) {
        int chunk = data.consumeInt(1, 64);
        int blocks = data.consumeInt(0, 4);
        MainChannel main = new MainChannel(new BytesChannel(data.consumeRemainingAsBytes(), chunk));
        try {
            for (Frame frame = main.read("the source"); frame != null; frame = main.read("the source")) {
                assertThat(frame.body().length).isLessThanOrEqualTo(Wire.MAX_FRAME_BODY);
                switch (frame.type()) {
                    case HELLO -> Hello.decode(frame);
                    case COMPLETE -> Complete.decode(frame, blocks);
                    case RESULT -> Result.decode(frame);
                    case ROUND_END -> RoundEnd.decode(frame);
                    case ADMISSION -> Admission.decode(frame);
                    default -> frame.text();
                }
            }
        } catch (IOException refused) {
            // ProtocolException for a bad frame, EOFException for one cut short: both are the answers allowed.
        }
    }

    @FuzzTest(maxDuration = "60s")
    void hello(byte[] body) {
        Frame frame = new Frame(FrameType.HELLO, body);
        Hello hello;
        try {
            hello = Hello.decode(frame);
        } catch (ProtocolException refused) {
            return;
        }
        assertThat(hello.channels()).isBetween(1, MigrationProtocol.MAX_CHANNELS);
        assertThat(hello.blocks()).hasSizeLessThanOrEqualTo(MigrationProtocol.MAX_BLOCKS)
                .allSatisfy(block -> assertThat(block.size()).isNotNegative());
        assertThat(hello.encode().body()).isEqualTo(body);
    }

    @FuzzTest(maxDuration = "60s")
    void complete(FuzzedDataProvider data) {
        int blocks = data.consumeInt(0, MigrationProtocol.MAX_BLOCKS);
        byte[] body = data.consumeRemainingAsBytes();
        Complete complete;
        try {
            complete = Complete.decode(new Frame(FrameType.COMPLETE, body), blocks);
        } catch (ProtocolException refused) {
            return;
        }
        assertThat(complete.rounds()).isPositive();
        assertThat(complete.dataPackets()).isNotNegative();
        assertThat(complete.encode().body()).isEqualTo(body);
    }

    @FuzzTest(maxDuration = "60s")
    void result(byte[] body) {
        Result result;
        try {
            result = Result.decode(new Frame(FrameType.RESULT, body));
        } catch (ProtocolException refused) {
            return;
        }
        assertThat(result.message()).isNotNull();
        Result again;
        try {
            again = Result.decode(result.encode());
        } catch (ProtocolException e) {
            throw new AssertionError("a RESULT the decoder accepted does not decode again once encoded", e);
        }
        assertThat(again.ok()).isEqualTo(result.ok());
        assertThat(again.verified()).isEqualTo(result.verified());
    }

    @FuzzTest(maxDuration = "60s")
    void roundEnd(byte[] body) {
        RoundEnd roundEnd;
        try {
            roundEnd = RoundEnd.decode(new Frame(FrameType.ROUND_END, body));
        } catch (ProtocolException refused) {
            return;
        }
        assertThat(roundEnd.round()).isPositive();
        assertThat(roundEnd.encode().body()).isEqualTo(body);
    }

    @FuzzTest(maxDuration = "60s")
    void admission(byte[] body) {
        Admission admission;
        try {
            admission = Admission.decode(new Frame(FrameType.ADMISSION, body));
        } catch (ProtocolException refused) {
            return;
        }
        assertThat(admission.admitted()).isEqualTo(admission.reason().isEmpty());
        Admission again;
        try {
            again = Admission.decode(admission.encode());
        } catch (ProtocolException e) {
            throw new AssertionError("an ADMISSION the decoder accepted does not decode again once encoded", e);
        }
        assertThat(again.admitted()).isEqualTo(admission.admitted());
    }

    @FuzzTest(maxDuration = "60s")
    void initPacket(FuzzedDataProvider data) {
        int channels = data.consumeInt(1, MigrationProtocol.MAX_CHANNELS);
        byte[] bytes = data.consumeRemainingAsBytes();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment in = arena.allocate(Math.max(1, bytes.length)).asSlice(0, bytes.length);
            MemorySegment.copy(bytes, 0, in, ValueLayout.JAVA_BYTE, 0, bytes.length);
            InitPacket init;
            try {
                init = InitPacket.decode(in, "fuzz");
                init.checkChannel(channels);
            } catch (ProtocolException refused) {
                return;
            }
            assertThat(init.channel()).isBetween(0, channels - 1);
            MemorySegment out = arena.allocate(InitPacket.SIZE);
            init.encode(out);
            assertThat(out.mismatch(in.asSlice(0, InitPacket.SIZE))).isEqualTo(-1);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void packetHeader(FuzzedDataProvider data) {
        int blocks = data.consumeInt(1, 4);
        long previous = data.consumeLong();
        long blockSize = data.consumeLong(0, 1L << 40);
        byte[] fixed = data.consumeBytes(PacketHeader.FIXED_SIZE);
        byte[] offsets = data.consumeRemainingAsBytes();
        try (Arena arena = Arena.ofConfined()) {
            PacketHeader header = new PacketHeader(arena);
            MemorySegment.copy(fixed, 0, header.fixedPart(), ValueLayout.JAVA_BYTE, 0, fixed.length);
            try {
                header.checkFixed(0, previous, blocks);
                if (header.isSync()) {
                    return;
                }
                MemorySegment part = header.offsetsPart();
                MemorySegment.copy(offsets, 0, part, ValueLayout.JAVA_BYTE, 0,
                        (int) Math.min(offsets.length, part.byteSize()));
                header.checkOffsets(0, "ram0", blockSize);
            } catch (ProtocolException refused) {
                return;
            }
            int pages = header.normalPages() + header.zeroPages();
            assertThat(pages).isBetween(1, MigrationProtocol.MAX_PAGES_PER_PACKET);
            assertThat(header.block()).isBetween(0, blocks - 1);
            assertThat(Long.compareUnsigned(header.number(), previous)).isPositive();
            for (int i = 0; i < pages; i++) {
                // The last page of a block may be partial: an offset only has to start inside the block.
                assertThat(header.offset(i)).isNotNegative().isLessThan(blockSize);
                assertThat(header.offset(i) % MigrationProtocol.PAGE_SIZE).isZero();
            }
        }
    }
}
