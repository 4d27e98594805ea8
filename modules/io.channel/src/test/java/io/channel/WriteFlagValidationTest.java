package io.channel;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class WriteFlagValidationTest {

    @Test
    void zeroCopyOnAChannelWithoutTheFeatureFailsAndSaysWhy() throws IOException {
        try (Arena arena = Arena.ofConfined(); FakeChannel channel = new FakeChannel(8)) {
            MemorySegment[] iov = {arena.allocate(8)};

            assertThatThrownBy(() -> channel.writev(iov, WriteFlag.ZERO_COPY))
                    .isInstanceOf(ZeroCopyUnavailableException.class)
                    .hasMessageContaining("without the WRITE_ZERO_COPY feature")
                    .hasMessageContaining("provider 'fake' does not implement zero-copy writes");
            assertThat(channel.writeCalls).isZero();
        }
    }

    @Test
    void zeroCopyOfAHeapSegmentIsRefusedNamingTheSegment() throws IOException {
        try (Arena arena = Arena.ofConfined(); FakeChannel channel = new FakeChannel(8, Feature.WRITE_ZERO_COPY)) {
            MemorySegment[] iov = {arena.allocate(8), MemorySegment.ofArray(new byte[8])};

            assertThatThrownBy(() -> channel.writev(iov, WriteFlag.ZERO_COPY))
                    .isInstanceOf(ZeroCopyUnavailableException.class)
                    .hasMessageContaining("segment 1 is a heap segment");
            assertThat(channel.writeCalls).isZero();
        }
    }

    @Test
    void zeroCopyOfNativeSegmentsReachesTheProviderWithTheFlag() throws IOException {
        try (Arena arena = Arena.ofConfined(); FakeChannel channel = new FakeChannel(8, Feature.WRITE_ZERO_COPY)) {
            channel.writev(new MemorySegment[] {arena.allocate(8)}, WriteFlag.ZERO_COPY);

            assertThat(channel.zeroCopyCalls).isEqualTo(1);
        }
    }

    @Test
    void aNullFlagIsRejected() throws IOException {
        try (FakeChannel channel = new FakeChannel(8)) {
            MemorySegment[] iov = {MemorySegment.ofArray(new byte[8])};

            assertThatThrownBy(() -> channel.writev(iov, (WriteFlag) null)).isInstanceOf(NullPointerException.class);
        }
    }

    @Test
    void writesWithoutFlagsAcceptHeapSegments() throws IOException {
        try (FakeChannel channel = new FakeChannel(8)) {
            long n = channel.writev(new MemorySegment[] {MemorySegment.ofArray(new byte[] {1, 2, 3})});

            assertThat(n).isEqualTo(3);
        }
    }
}
