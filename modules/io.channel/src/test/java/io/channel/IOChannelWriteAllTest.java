package io.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IOChannelWriteAllTest {

    private static MemorySegment[] oddSegments(Arena arena, Random random, int count) {
        MemorySegment[] iov = new MemorySegment[count];
        for (int i = 0; i < count; i++) {
            byte[] bytes = new byte[random.nextInt(0, 23)];
            random.nextBytes(bytes);
            iov[i] = arena.allocate(Math.max(1, bytes.length)).asSlice(0, bytes.length);
            iov[i].copyFrom(MemorySegment.ofArray(bytes));
        }
        return iov;
    }

    private static byte[] concat(MemorySegment[] iov, int from, int to) {
        var out = new java.io.ByteArrayOutputStream();
        for (int i = from; i < to; i++) {
            out.writeBytes(iov[i].toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
        }
        return out.toByteArray();
    }

    @Test
    void writevAllDeliversEveryByteWhenTheChannelAcceptsThreeBytesAtATime() throws IOException {
        try (Arena arena = Arena.ofConfined(); FakeChannel channel = new FakeChannel(3)) {
            MemorySegment[] iov = oddSegments(arena, new Random(1), 200);

            channel.writevAll(iov, 0, iov.length);

            assertThat(channel.sink.toByteArray()).isEqualTo(concat(iov, 0, iov.length));
        }
    }

    @Test
    void writevAllReportsTheRunningTotalAfterEveryWrite() throws IOException {
        try (Arena arena = Arena.ofConfined(); FakeChannel channel = new FakeChannel(3)) {
            MemorySegment[] iov = {arena.allocate(4), arena.allocate(0), arena.allocate(5)};
            List<Long> totals = new ArrayList<>();

            channel.writevAll(iov, 0, iov.length, totals::add);

            assertThat(totals).containsExactly(3L, 6L, 9L);
        }
    }

    @Test
    void writevAllLeavesTheCallersArrayUnchanged() throws IOException {
        try (Arena arena = Arena.ofConfined(); FakeChannel channel = new FakeChannel(5)) {
            MemorySegment[] iov = oddSegments(arena, new Random(2), 40);
            MemorySegment[] before = iov.clone();

            channel.writevAll(iov, 0, iov.length);

            assertThat(iov).containsExactly(before);
        }
    }

    @Test
    void writevAllHonoursOffsetAndLength() throws IOException {
        try (Arena arena = Arena.ofConfined(); FakeChannel channel = new FakeChannel(7)) {
            MemorySegment[] iov = oddSegments(arena, new Random(3), 30);

            channel.writevAll(iov, 5, 10);

            assertThat(channel.sink.toByteArray()).isEqualTo(concat(iov, 5, 15));
        }
    }

    @Test
    void writevAllMakesNoCallForOnlyEmptySegments() throws IOException {
        try (FakeChannel channel = new FakeChannel(7)) {
            MemorySegment[] iov = {MemorySegment.NULL, MemorySegment.NULL};

            channel.writevAll(iov, 0, 2);

            assertThat(channel.writeCalls).isZero();
        }
    }

    @Test
    void writeAllOfOneLargeSegmentLoopsUntilDone() throws IOException {
        try (Arena arena = Arena.ofConfined(); FakeChannel channel = new FakeChannel(4096)) {
            byte[] bytes = new byte[100_001];
            new Random(4).nextBytes(bytes);
            MemorySegment segment = arena.allocate(bytes.length);
            segment.copyFrom(MemorySegment.ofArray(bytes));

            channel.writeAll(segment);

            assertThat(channel.sink.toByteArray()).isEqualTo(bytes);
            assertThat(channel.writeCalls).isEqualTo(25);
        }
    }

    @Test
    void zeroCopyRetriesOfARemainderKeepTheFlag() throws IOException {
        try (Arena arena = Arena.ofConfined(); FakeChannel channel = new FakeChannel(10, Feature.WRITE_ZERO_COPY)) {
            MemorySegment segment = arena.allocate(95);

            channel.writeAll(segment, WriteFlag.ZERO_COPY);

            assertThat(channel.zeroCopyCalls).isEqualTo(10).isEqualTo(channel.writeCalls);
        }
    }

    @Test
    void closeIsIdempotent() throws IOException {
        FakeChannel channel = new FakeChannel(1);

        channel.close();
        channel.close();

        assertThat(channel.closeCalls).isEqualTo(1);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void writingAfterCloseFails() throws IOException {
        FakeChannel channel = new FakeChannel(1);
        channel.close();

        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> channel.writev(new MemorySegment[] {MemorySegment.ofArray(new byte[1])}))
                .isInstanceOf(java.nio.channels.ClosedChannelException.class);
    }

    @Test
    void outOfRangeOffsetsAreRejected() throws IOException {
        try (FakeChannel channel = new FakeChannel(1)) {
            MemorySegment[] iov = new MemorySegment[2];
            Arrays.fill(iov, MemorySegment.ofArray(new byte[1]));

            org.assertj.core.api.Assertions.assertThatThrownBy(() -> channel.writev(iov, 1, 2))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }
}
