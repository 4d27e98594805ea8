package migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A destination facing a source that breaks the protocol. The block is the middle MiB of a 3 MiB segment
 * whose every byte is 0xA5; whatever the source sends, nothing outside the block may change.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HostileSourceTest {

    private static final long MIB = 1024 * 1024;
    private static final byte PATTERN = (byte) 0xA5;

    private Arena arena;
    private MemorySegment whole;
    private MigrationDestination destination;
    private FakeSource source;

    @BeforeEach
    void listen() throws Exception {
        arena = Arena.ofShared();
        whole = arena.allocate(3 * MIB, 4096);
        whole.fill(PATTERN);
        listen(PARAMS);
    }

    /** Setup 2 s; a channel that owes a SYNC may stay quiet 1 s; the source may stay silent 5 s. */
    private static final MigrationParameters PARAMS = MigrationParameters.defaults().withProvider("copy")
            .withSetupTimeout(Duration.ofSeconds(2)).withProgressTimeout(Duration.ofSeconds(1))
            .withLivenessTimeout(Duration.ofSeconds(5));

    private void listen(MigrationParameters params) throws Exception {
        if (destination != null) {
            source.close();
            destination.close();
        }
        RamBlock block = RamBlock.of("ram0", whole.asSlice(MIB, MIB));
        destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                RamBlockProvider.fixed(List.of(block)), params);
        source = new FakeSource(destination.localAddress());
    }

    @AfterEach
    void close() throws Exception {
        source.close();
        destination.close();
        assertThat(TestMemory.firstNotEqual(whole.asSlice(0, MIB), PATTERN)).as("bytes before the block").isEqualTo(-1);
        assertThat(TestMemory.firstNotEqual(whole.asSlice(2 * MIB, MIB), PATTERN)).as("bytes after the block")
                .isEqualTo(-1);
        assertThat(MigrationThreads.live()).isEmpty();
        arena.close();
    }

    private SocketChannel main;

    private SocketChannel handshake() throws Exception {
        main = source.main(1, "ram0", MIB);
        SocketChannel data = source.multifd(source.id, 0);
        FakeSource.readFrame(main, 2);
        return data;
    }

    private static byte[] complete(int rounds, long packets) {
        return ByteBuffer.allocate(20).putInt(rounds).putInt(0).putLong(packets).putInt(0).array();
    }

    private void assertBlockUntouched() {
        assertThat(TestMemory.firstNotEqual(whole.asSlice(MIB, MIB), PATTERN)).as("bytes of the block").isEqualTo(-1);
    }

    private static ByteBuffer page(byte value) {
        ByteBuffer page = ByteBuffer.allocate(4096);
        while (page.hasRemaining()) {
            page.put(value);
        }
        return page.flip();
    }

    @Test
    void aConnectionWithAnUnknownMagicIsDroppedAndCountedWithoutFailingTheMigration() throws Exception {
        SocketChannel socket = source.connect();
        FakeSource.send(socket, ByteBuffer.allocate(8).putInt(0x12345678).putInt(1).flip());
        Conditions.await("the stranger counted", Duration.ofSeconds(10),
                () -> destination.stats().unidentifiedConnections() == 1);
        assertThat(socket.read(ByteBuffer.allocate(1))).as("dropped: closed by the destination").isEqualTo(-1);
        handshake();
    }

    @Test
    void aMultifdChannelWithAnotherMigrationsUuidIsDroppedAndNamedWhenSetupTimesOut() throws Exception {
        source.main(1, "ram0", MIB);
        UUID other = UUID.randomUUID();
        source.multifd(other, 0);
        assertThatThrownBy(destination::await).isInstanceOf(MigrationException.class)
                .hasMessage("multifd: only 0 of 1 channels connected within 2 s (1 connection that did not identify"
                        + " as this migration's dropped, the last: multifd: received uuid '" + other
                        + "' and expected uuid '" + source.id + "' for channel 0)");
    }

    @Test
    void aMultifdChannelArrivingEarlyWithAWrongUuidIsDroppedWhenTheMainChannelArrives() throws Exception {
        UUID other = UUID.randomUUID();
        source.multifd(other, 0);
        source.main(1, "ram0", MIB);
        assertThatThrownBy(destination::await).hasMessageContaining("the last: multifd: received uuid '" + other
                + "'");
    }

    @Test
    void aDuplicateChannelIdIsRejected() throws Exception {
        source.main(2, "ram0", MIB);
        source.multifd(source.id, 0);
        source.multifd(source.id, 0);
        assertThatThrownBy(destination::await).hasMessage("multifd: received channel id 0 twice (already set up)");
    }

    @Test
    void aChannelIdBeyondTheChannelCountIsRejected() throws Exception {
        source.main(2, "ram0", MIB);
        source.multifd(source.id, 2);
        assertThatThrownBy(destination::await)
                .hasMessage("multifd: received channel id 2 is greater than number of channels 2");
    }

    @Test
    void anOffsetOutsideTheBlockIsRejectedBeforeAnyPageIsWritten() throws Exception {
        SocketChannel data = handshake();
        // The first offset is fine, the second is one page past the end: nothing may be written.
        FakeSource.send(data, FakeSource.dataHeader(2, 0, 17, 0, MIB), page((byte) 1), page((byte) 2));
        assertThatThrownBy(destination::await).isInstanceOf(MigrationException.class)
                .hasMessage("multifd channel 0, packet 17: offset 0x100000 outside block 'ram0' (size 0x100000)");
        assertBlockUntouched();
    }

    @Test
    void aNegativeOffsetIsRejected() throws Exception {
        SocketChannel data = handshake();
        FakeSource.send(data, FakeSource.dataHeader(1, 0, 1, -4096), page((byte) 1));
        assertThatThrownBy(destination::await)
                .hasMessageContaining("multifd channel 0, packet 1: offset 0xfffffffffffff000 outside block 'ram0'");
        assertBlockUntouched();
    }

    @Test
    void anOffsetThatIsNotPageAlignedIsRejected() throws Exception {
        SocketChannel data = handshake();
        FakeSource.send(data, FakeSource.dataHeader(1, 0, 1, 100), page((byte) 1));
        assertThatThrownBy(destination::await)
                .hasMessage("multifd channel 0, packet 1: offset 0x64 in block 'ram0' is not a multiple of the page"
                        + " size 4096");
        assertBlockUntouched();
    }

    @Test
    void aPageCountAboveThePacketCapacityIsRejected() throws Exception {
        SocketChannel data = handshake();
        FakeSource.send(data, FakeSource.dataHeader(129, 0, 5));
        assertThatThrownBy(destination::await).hasMessage("multifd channel 0, packet 5: received packet with 129"
                + " non-zero pages, which exceeds maximum expected pages 128");
        assertBlockUntouched();
    }

    @Test
    void normalAndZeroPagesTogetherAboveThePacketCapacityAreRejected() throws Exception {
        SocketChannel data = handshake();
        FakeSource.send(data, FakeSource.dataHeader(100, 100, 5));
        assertThatThrownBy(destination::await).hasMessage("multifd channel 0, packet 5: received packet with 100"
                + " non-zero and 100 zero pages, more than the 128 a packet holds");
    }

    @Test
    void unknownFlagBitsAreRejected() throws Exception {
        SocketChannel data = handshake();
        FakeSource.send(data, FakeSource.header(FakeSource.MULTIFD_MAGIC, FakeSource.VERSION, 0x80, 0, 1, 0, 3, 0),
                page((byte) 1));
        assertThatThrownBy(destination::await)
                .hasMessage("multifd channel 0, packet 3: unknown flags 0x80 in flags 0x80 (known: 0x1)");
        assertBlockUntouched();
    }

    @Test
    void aBlockIndexOutOfRangeIsRejected() throws Exception {
        SocketChannel data = handshake();
        FakeSource.send(data, FakeSource.header(FakeSource.MULTIFD_MAGIC, FakeSource.VERSION, 0, 1, 1, 0, 3, 0),
                page((byte) 1));
        assertThatThrownBy(destination::await)
                .hasMessage("multifd channel 0, packet 3: block index 1 out of range (the source announced 1 block)");
    }

    @Test
    void aWrongPacketMagicIsRejected() throws Exception {
        SocketChannel data = handshake();
        FakeSource.send(data, FakeSource.header(0xdeadbeef, 1, 0, 0, 1, 0, 3, 0), page((byte) 1));
        assertThatThrownBy(destination::await)
                .hasMessage("multifd channel 0, first packet: received packet magic 0xdeadbeef, expected 0x4d464450");
    }

    @Test
    void aPacketNumberThatGoesBackwardsIsRejected() throws Exception {
        SocketChannel data = handshake();
        FakeSource.send(data, FakeSource.dataHeader(1, 0, 9, 0), page((byte) 1));
        FakeSource.send(data, FakeSource.dataHeader(1, 0, 9, 4096), page((byte) 1));
        assertThatThrownBy(destination::await).hasMessage("multifd channel 0, packet 9: packet number not above the"
                + " previous one on this channel (9)");
    }

    @Test
    void aPacketTruncatedByTheSourceDroppingTheConnectionFailsNamingThePayload() throws Exception {
        SocketChannel data = handshake();
        ByteBuffer partial = page((byte) 7).limit(1000);
        FakeSource.send(data, FakeSource.dataHeader(2, 0, 4, 0, 4096), page((byte) 7), partial);
        data.close();
        assertThatThrownBy(destination::await).isInstanceOf(MigrationException.class)
                .hasMessage("multifd channel 0, packet 4: connection closed in the payload after 5096 of 8192 bytes");
    }

    @Test
    void aSourceThatConnectsTooFewChannelsTimesOutNamingTheCount() throws Exception {
        source.main(2, "ram0", MIB);
        source.multifd(source.id, 1);
        assertThatThrownBy(destination::await)
                .hasMessage("multifd: only 1 of 2 channels connected within 2 s");
    }

    @Test
    void aShortRoundEndIsAProtocolErrorNamingTheField() throws Exception {
        handshake();
        FakeSource.frame(main, 4, new byte[] {0, 1});
        assertThatThrownBy(destination::await).isInstanceOf(MigrationException.class)
                .hasMessage("main channel, ROUND_END: the body has 2 bytes, expected 4 (the round)");
    }

    @Test
    void aRoundEndForAnotherRoundThanTheNextIsAProtocolError() throws Exception {
        SocketChannel data = handshake();
        FakeSource.write(data, FakeSource.sync(1));
        FakeSource.frame(main, 4, ByteBuffer.allocate(4).putInt(2).array());
        assertThatThrownBy(destination::await)
                .hasMessage("main channel, ROUND_END: round 2, expected 1 (the next round to end)");
    }

    /** Ends round 1 properly (its SYNC, then ROUND_END 1), sends round 2's SYNC, then ROUND_END for {@code round}. */
    private void endRoundOneThenClaimRound(int round) throws Exception {
        SocketChannel data = handshake();
        FakeSource.write(data, FakeSource.sync(1));
        FakeSource.frame(main, 4, ByteBuffer.allocate(4).putInt(1).array());
        FakeSource.write(data, FakeSource.sync(2));
        FakeSource.frame(main, 4, ByteBuffer.allocate(4).putInt(round).array());
    }

    @Test
    void aRoundEndThatSkipsARoundIsAProtocolErrorNamingTheRounds() throws Exception {
        endRoundOneThenClaimRound(3);
        assertThatThrownBy(destination::await).isInstanceOf(MigrationException.class)
                .hasMessage("main channel, ROUND_END: round 3, expected 2 (the next round to end)");
        assertBlockUntouched();
    }

    @Test
    void aRoundEndForARoundThatAlreadyEndedIsAProtocolErrorNamingTheRounds() throws Exception {
        endRoundOneThenClaimRound(1);
        assertThatThrownBy(destination::await).isInstanceOf(MigrationException.class)
                .hasMessage("main channel, ROUND_END: round 1, expected 2 (the next round to end)");
        assertBlockUntouched();
    }

    @Test
    void aCompleteClaimingMoreRoundsThanTheSourceEndedIsAProtocolError() throws Exception {
        SocketChannel data = handshake();
        FakeSource.write(data, FakeSource.sync(1));
        FakeSource.frame(main, 5, complete(2, 0));
        assertThatThrownBy(destination::await)
                .hasMessage("main channel, COMPLETE: round count 2, but the source ended 0 rounds with ROUND_END"
                        + " before it, so expected 1");
    }

    @Test
    void aRoundEndWithoutTheSyncItClaimsFailsWithinTheProgressTimeoutNamingTheChannel() throws Exception {
        handshake();
        FakeSource.frame(main, 4, ByteBuffer.allocate(4).putInt(1).array());
        // The source lives and says so, but the SYNC it claims never comes.
        try (Heartbeats beats = new Heartbeats(main)) {
            assertThatThrownBy(destination::await)
                    .hasMessage("multifd channel 0: the source ended round 1 (ROUND_END on the main channel), so it"
                            + " sent this channel's SYNC, but the SYNC did not arrive and nothing else came for 1 s");
        }
    }

    @Test
    void aCutAfterCompleteWithChannelBytesInFlightEndsTheDestinationOnceTheSourceFallsSilent() throws Exception {
        // The liveness rule, not the progress rule, must catch this: progress is given far longer here.
        listen(PARAMS.withLivenessTimeout(Duration.ofSeconds(1)).withProgressTimeout(Duration.ofSeconds(60)));
        SocketChannel data = handshake();
        // Half a packet on the channel, then COMPLETE, then nothing: no heartbeat, no close (a cut network).
        FakeSource.write(data, FakeSource.dataHeader(1, 0, 1, 0), page((byte) 1).limit(2048));
        FakeSource.frame(main, 5, complete(1, 1));
        assertThatThrownBy(destination::await).isInstanceOf(MigrationException.class)
                .hasMessageStartingWith("no sign of life from the source for 1 s");
    }

    @Test
    void aHelloWithoutBlocksIsRefused() throws Exception {
        SocketChannel socket = source.connect();
        ByteBuffer hello = ByteBuffer.allocate(36);
        hello.putLong(source.id.getMostSignificantBits()).putLong(source.id.getLeastSignificantBits());
        hello.putShort((short) 1).putShort((short) 0).putInt(4096).putInt(128).putInt(0).putInt(0);
        FakeSource.write(socket, ByteBuffer.allocate(8).putInt(FakeSource.MAIN_MAGIC).putInt(FakeSource.VERSION)
                .flip());
        FakeSource.frame(socket, 1, hello.array());
        assertThatThrownBy(destination::await)
                .hasMessage("main channel, HELLO: block count 0 is outside 1..1024 (nothing to migrate)");
    }

    @Test
    void aBlockNameWithAnEscapeSequenceIsRefusedAndShownEscaped() throws Exception {
        source.main(1, "ram\u001b[2J", MIB);
        assertThatThrownBy(destination::await)
                .hasMessage("main channel, HELLO: the name of block 0, \"ram\\x1b[2J\", contains control or invisible"
                        + " characters");
    }

    @Test
    void theSourcesErrorTextIsEscapedCutAndQuoted() throws Exception {
        handshake();
        String text = "\u001b[2J\u001b[32mmigration completed\n" + "x".repeat(100_000);
        FakeSource.frame(main, 7, text.getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(destination::await).satisfies(e -> {
            assertThat(e.getMessage()).startsWith("the source failed: \"\\x1b[2J\\x1b[32mmigration completed\\nxxx")
                    .endsWith("\" (cut: " + (text.length() - 512) + " more characters)")
                    .doesNotContain("\u001b").doesNotContain("\n").hasSizeLessThan(600);
            assertThat(((MigrationException) e).stats().errorDescription()).isEqualTo(e.getMessage());
        });
    }

    @Test
    void theSourcesCancelTextIsQuoted() throws Exception {
        handshake();
        FakeSource.frame(main, 8, "bye\r".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(destination::await).hasMessage("cancelled by the source: \"bye\\r\"");
    }

    @Test
    void packetNumbersAreComparedUnsigned() throws Exception {
        SocketChannel data = handshake();
        FakeSource.write(data, FakeSource.dataHeader(1, 0, 5, 0), page((byte) 1));
        // 2^63: above 5 unsigned, negative signed.
        FakeSource.write(data, FakeSource.dataHeader(1, 0, Long.MIN_VALUE, 4096), page((byte) 2));
        FakeSource.write(data, FakeSource.sync(Long.MIN_VALUE + 1));
        FakeSource.frame(main, 5, complete(1, 2));
        ByteBuffer result = FakeSource.readFrame(main, 6);
        assertThat(result.getInt()).as("result code").isZero();
        FakeSource.frame(main, migration.protocol.FrameType.COMMIT.code(), new byte[0]);
        main.close();
        assertThat(destination.await().normalPages()).isEqualTo(2);
    }

    @Test
    void aCancelWhileTheChannelsConnectEndsTheDestinationAsCancelledNotAsASetupTimeout() throws Exception {
        SocketChannel socket = source.main(2, "ram0", MIB);
        FakeSource.frame(socket, 8, "cancelled by the source".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(destination::await).hasMessage("cancelled by the source")
                .satisfies(e -> assertThat(((MigrationException) e).stats().status())
                        .isEqualTo(MigrationStatus.CANCELLED));
    }

    @Test
    void channelsMayArriveBeforeTheMainChannelAndRoundsAreApplied() throws Exception {
        // A well-behaved fake source, to pin the protocol down: multifd channel first, two rounds.
        SocketChannel data = source.multifd(source.id, 0);
        SocketChannel main = source.main(1, "ram0", MIB);
        FakeSource.readFrame(main, 2);
        // Round 1: pages 0 and 1 hold data.
        FakeSource.write(data, FakeSource.dataHeader(2, 0, 1, 0, 4096), page((byte) 1), page((byte) 2));
        FakeSource.write(data, FakeSource.sync(2));
        FakeSource.frame(main, 4, ByteBuffer.allocate(4).putInt(1).array());
        ByteBuffer received = FakeSource.readFrame(main, 9);
        assertThat(received.getInt()).as("ROUND_RECEIVED: round 1 is in the destination's memory").isOne();
        // Round 2: page 0 became zero; page 5 holds data.
        FakeSource.write(data, FakeSource.dataHeader(1, 1, 3, 5 * 4096, 0), page((byte) 3));
        FakeSource.write(data, FakeSource.sync(4));
        MemorySegment expected = arena.allocate(MIB);
        expected.fill(PATTERN);
        expected.asSlice(0, 4096).fill((byte) 0);
        expected.asSlice(4096, 4096).fill((byte) 2);
        expected.asSlice(5 * 4096, 4096).fill((byte) 3);
        CRC32C crc = new CRC32C();
        crc.update(expected.asByteBuffer());
        FakeSource.frame(main, 5, ByteBuffer.allocate(24).putInt(2).putInt(1).putLong(2).putInt(1)
                .putInt((int) crc.getValue()).array());
        ByteBuffer result = FakeSource.readFrame(main, 6);
        assertThat(result.getInt()).as("result code").isZero();
        assertThat(result.getInt()).as("verified").isOne();
        FakeSource.frame(main, migration.protocol.FrameType.COMMIT.code(), new byte[0]);
        main.close();
        MigrationStats stats = destination.await();
        assertThat(stats.verified()).isTrue();
        assertThat(stats.dirtySyncCount()).isEqualTo(2);
        assertThat(stats.normalPages()).isEqualTo(3);
        assertThat(stats.duplicatePages()).isEqualTo(1);
        assertThat(whole.asSlice(MIB, MIB).mismatch(expected)).isEqualTo(-1);
    }
}
