package io.channel.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.Feature;
import io.channel.FlushResult;
import io.channel.IOChannel;
import io.channel.ShutdownDirection;
import io.channel.WriteFlag;
import io.channel.ZeroCopyUnavailableException;
import java.io.EOFException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CopyingChannelLoopbackTest {

    private final CopyingChannelProvider provider = new CopyingChannelProvider();

    /** Sends 3000 segments of odd sizes (more than IOV_MAX in one writevAll) and compares bytes on arrival. */
    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1"})
    void manyOddSizedSegmentsArriveIntact(String host) throws Exception {
        try (Arena arena = Arena.ofShared();
             ChannelListener listener = provider.listen(new InetSocketAddress(InetAddress.getByName(host), 0),
                     ChannelOptions.defaults())) {
            Random random = new Random(42);
            MemorySegment[] iov = new MemorySegment[3000];
            long total = 0;
            for (int i = 0; i < iov.length; i++) {
                iov[i] = arena.allocate(1 + random.nextInt(4999));
                for (long b = 0; b < iov[i].byteSize(); b++) {
                    iov[i].set(ValueLayout.JAVA_BYTE, b, (byte) random.nextInt());
                }
                total += iov[i].byteSize();
            }
            MemorySegment received = arena.allocate(total);
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
                try (IOChannel in = listener.accept()) {
                    in.readFully(received);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (IOChannel out = provider.connect(listener.localAddress(), ChannelOptions.defaults())) {
                out.writevAll(iov, 0, iov.length);
                assertThat(out.flush()).isEqualTo(FlushResult.NOTHING_PENDING);
                assertThat(out.statistics().bytesWritten()).isEqualTo(total);
            }
            reader.get(30, TimeUnit.SECONDS);
            long offset = 0;
            for (MemorySegment segment : iov) {
                assertThat(received.asSlice(offset, segment.byteSize()).mismatch(segment)).isEqualTo(-1);
                offset += segment.byteSize();
            }
        }
    }

    @Test
    void theCopyingChannelNeverClaimsZeroCopyAndRefusesTheFlag() throws Exception {
        try (Arena arena = Arena.ofConfined();
             ChannelListener listener = provider.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     ChannelOptions.defaults());
             IOChannel out = provider.connect(listener.localAddress(), ChannelOptions.defaults().withZeroCopy(true));
             IOChannel in = listener.accept()) {
            assertThat(out.features()).doesNotContain(Feature.WRITE_ZERO_COPY);
            assertThatThrownBy(() -> out.writeAll(arena.allocate(16), WriteFlag.ZERO_COPY))
                    .isInstanceOf(ZeroCopyUnavailableException.class)
                    .hasMessageContaining("always copies");
            assertThat(in.providerName()).isEqualTo("copy");
        }
    }

    @Test
    void readFullyReportsHowManyBytesWereMissingAtEndOfStream() throws Exception {
        try (Arena arena = Arena.ofConfined();
             ChannelListener listener = provider.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     ChannelOptions.defaults());
             IOChannel out = provider.connect(listener.localAddress(), ChannelOptions.defaults());
             IOChannel in = listener.accept()) {
            out.writeAll(arena.allocate(10));
            out.shutdown(ShutdownDirection.WRITE);

            assertThatThrownBy(() -> in.readFully(arena.allocate(16)))
                    .isInstanceOf(EOFException.class)
                    .hasMessageContaining("after 10 of 16 bytes");
        }
    }

    @Test
    void connectingToAHostNameWorks() throws Exception {
        try (ChannelListener listener = provider.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     ChannelOptions.defaults());
             IOChannel out = provider.connect(InetSocketAddress.createUnresolved("localhost",
                     listener.localAddress().getPort()), ChannelOptions.defaults());
             IOChannel in = listener.accept()) {
            assertThat(out.remoteAddress().getPort()).isEqualTo(listener.localAddress().getPort());
        }
    }

    @Test
    void connectingToAClosedPortNamesTheAddress() throws Exception {
        int port;
        try (ChannelListener listener = provider.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ChannelOptions.defaults())) {
            port = listener.localAddress().getPort();
        }
        assertThatThrownBy(() -> provider.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                ChannelOptions.defaults()))
                .isInstanceOf(java.io.IOException.class)
                .hasMessageContaining("connect to")
                .hasMessageContaining(":" + port);
    }
}
