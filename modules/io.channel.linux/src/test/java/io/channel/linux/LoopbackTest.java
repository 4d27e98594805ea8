package io.channel.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.ChannelStatistics;
import io.channel.Feature;
import io.channel.FlushResult;
import io.channel.IOChannel;
import io.channel.SocketAddressText;
import io.channel.WriteFlag;
import io.channel.ZeroCopyUnavailableException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Linux provider over real loopback sockets. */
@Timeout(60)
class LoopbackTest {

    private final LinuxChannelProvider provider = new LinuxChannelProvider();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Arena arena = Arena.ofShared();
    private ChannelListener listener;
    private IOChannel sender;
    private IOChannel receiver;

    @BeforeEach
    void requireProvider() {
        assumeTrue(provider.isAvailable(), () -> String.valueOf(provider.unavailabilityCause()));
    }

    @AfterEach
    void closeEverything() throws Exception {
        threads.shutdownNow();
        for (AutoCloseable closeable : new AutoCloseable[] {sender, receiver, listener}) {
            if (closeable != null) {
                try {
                    closeable.close();
                } catch (IOException e) {
                    // a test may have left completions outstanding on purpose
                }
            }
        }
        threads.awaitTermination(10, TimeUnit.SECONDS);
        arena.close();
    }

    private void connect(String host, ChannelOptions senderOptions, ChannelOptions receiverOptions)
            throws IOException {
        listener = provider.listen(new InetSocketAddress(InetAddress.getByName(host), 0), receiverOptions);
        sender = provider.connect(listener.localAddress(), senderOptions);
        receiver = listener.accept();
    }

    private void connect(String host) throws IOException {
        ChannelOptions options = ChannelOptions.defaults().withZeroCopy(true).withCloseTimeout(Duration.ofSeconds(10));
        connect(host, options, options);
    }

    private MemorySegment random(long size) {
        MemorySegment segment = arena.allocate(size);
        byte[] bytes = new byte[(int) size];
        new Random(size).nextBytes(bytes);
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return segment;
    }

    private static MemorySegment[] split(MemorySegment data, long pieceSize) {
        int count = (int) ((data.byteSize() + pieceSize - 1) / pieceSize);
        MemorySegment[] pieces = new MemorySegment[count];
        for (int i = 0; i < count; i++) {
            long offset = i * pieceSize;
            pieces[i] = data.asSlice(offset, Math.min(pieceSize, data.byteSize() - offset));
        }
        return pieces;
    }

    /** Reads exactly {@code size} bytes on another thread, in reads of at most {@code chunk} bytes. */
    private CompletableFuture<MemorySegment> receive(long size, long chunk) {
        return CompletableFuture.supplyAsync(() -> {
            MemorySegment into = arena.allocate(Math.max(1, size));
            try {
                long done = 0;
                while (done < size) {
                    long n = receiver.readv(new MemorySegment[] {into.asSlice(done, Math.min(chunk, size - done))}, 0, 1);
                    if (n < 0) {
                        throw new IOException("end of stream after " + done + " of " + size);
                    }
                    done += n;
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return into;
        }, threads);
    }

    private void zeroCopyArrivesIntact(String host) throws Exception {
        connect(host);
        MemorySegment data = random(64L << 20);
        CompletableFuture<MemorySegment> received = receive(data.byteSize(), 1 << 20);

        MemorySegment[] pieces = split(data, 1 << 20);
        sender.writevAll(pieces, 0, pieces.length, WriteFlag.ZERO_COPY);
        FlushResult result = sender.flush();

        assertThat(received.get().mismatch(data)).isEqualTo(-1);
        assertThat(result).isEqualTo(FlushResult.ALL_COPIED);
        ChannelStatistics statistics = sender.statistics();
        assertThat(statistics.zeroCopySends()).isPositive().isEqualTo(statistics.completions());
        assertThat(statistics.copiedCompletions()).isEqualTo(statistics.completions());
        assertThat(statistics.bytesWritten()).isEqualTo(data.byteSize());
    }

    @Test
    void zeroCopyWritesOverIpv4LoopbackArriveIntactAndAreReportedCopied() throws Exception {
        zeroCopyArrivesIntact("127.0.0.1");
    }

    @Test
    void zeroCopyWritesOverIpv6LoopbackArriveIntactAndAreReportedCopied() throws Exception {
        zeroCopyArrivesIntact("::1");
    }

    @Test
    void theChannelsKnowBothAddresses() throws Exception {
        connect("127.0.0.1");

        assertThat(sender.remoteAddress()).isEqualTo(listener.localAddress());
        assertThat(receiver.remoteAddress()).isEqualTo(sender.localAddress());
    }

    @Test
    void aChannelOpenedWithZeroCopyHasTheFeature() throws Exception {
        connect("127.0.0.1");

        assertThat(sender.features()).contains(Feature.WRITE_ZERO_COPY, Feature.SHUTDOWN);
        assertThat(sender.zeroCopyUnavailableReason()).isNull();
    }

    @Test
    void flushWithNothingWrittenReportsNothingPending() throws Exception {
        connect("127.0.0.1");

        assertThat(sender.flush()).isEqualTo(FlushResult.NOTHING_PENDING);
    }

    @Test
    void aZeroCopyWriteOnAChannelOpenedWithoutZeroCopyIsRefusedWithTheReason() throws Exception {
        ChannelOptions plain = ChannelOptions.defaults();
        connect("127.0.0.1", plain, plain);
        MemorySegment data = random(16);

        assertThatThrownBy(() -> sender.writev(new MemorySegment[] {data}, WriteFlag.ZERO_COPY))
                .isInstanceOf(ZeroCopyUnavailableException.class)
                .hasMessageContaining("zero-copy was not asked for");
    }

    @Test
    void moreThanIovMaxSegmentsOfOddSizesArriveIntact() throws Exception {
        connect("127.0.0.1");
        MemorySegment data = random(3000L * 501);
        MemorySegment[] pieces = new MemorySegment[3000];
        long offset = 0;
        for (int i = 0; i < pieces.length; i++) {
            long size = i % 2 == 0 ? 1 + (i * 7L) % 1000 : 1001 - (pieces[i - 1].byteSize());
            pieces[i] = data.asSlice(offset, size);
            offset += size;
        }
        CompletableFuture<MemorySegment> received = receive(offset, 1 << 16);

        sender.writevAll(pieces, 0, pieces.length, WriteFlag.ZERO_COPY);
        sender.flush();

        assertThat(received.get().mismatch(data.asSlice(0, offset))).isEqualTo(-1);
    }

    @Test
    void heapSegmentsWrittenWithoutZeroCopyArriveIntact() throws Exception {
        connect("127.0.0.1");
        byte[] bytes = new byte[3 << 20];
        new Random(7).nextBytes(bytes);
        CompletableFuture<MemorySegment> received = receive(bytes.length, 1 << 20);

        sender.writeAll(MemorySegment.ofArray(bytes));

        assertThat(received.get().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(bytes);
    }

    @Test
    void heapArraysWrittenAndReadInPlaceThroughASmallSocketBufferArriveIntact() throws Exception {
        // Small buffers on both ends: the non-blocking send and recv meet EAGAIN many times and wait in poll.
        connect("127.0.0.1", ChannelOptions.defaults().withSendBufferSize(4096),
                ChannelOptions.defaults().withReceiveBufferSize(4096));
        byte[] bytes = new byte[4 << 20];
        new Random(11).nextBytes(bytes);
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
            byte[] into = new byte[bytes.length];
            try {
                long done = 0;
                while (done < into.length) {
                    MemorySegment rest = MemorySegment.ofArray(into).asSlice(done, Math.min(100_000, into.length - done));
                    long n = receiver.readv(new MemorySegment[] {rest}, 0, 1);
                    if (n < 0) {
                        throw new IOException("end of stream after " + done + " bytes");
                    }
                    done += n;
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            return into;
        }, threads);

        sender.writeAll(MemorySegment.ofArray(bytes));

        assertThat(received.get()).isEqualTo(bytes);
        assertThat(sender.features()).contains(Feature.HEAP_IN_PLACE);
    }

    @Test
    void aTinySendBufferAndASlowReaderStillDeliverEveryByte() throws Exception {
        // Only the sender's buffer is tiny: a receive buffer smaller than one zero-copy skb's truesize makes
        // loopback TCP drop and retransmit with exponential backoff (minutes), which tests the kernel, not us.
        ChannelOptions options = ChannelOptions.defaults().withZeroCopy(true).withSendBufferSize(4096);
        connect("127.0.0.1", options, ChannelOptions.defaults());
        MemorySegment data = random(4L << 20);
        CompletableFuture<MemorySegment> received = receive(data.byteSize(), 1000);

        sender.writeAll(data, WriteFlag.ZERO_COPY);
        sender.flush();

        assertThat(received.get().mismatch(data)).isEqualTo(-1);
        assertThat(sender.statistics().zeroCopySends()).isGreaterThan(1);
    }

    @Test
    void closeWithZeroCopyWritesInFlightReturnsAndTheReaderGetsEveryByte() throws Exception {
        connect("127.0.0.1");
        MemorySegment data = random(32L << 20);
        CompletableFuture<MemorySegment> received = receive(data.byteSize(), 1 << 16);

        sender.writevAll(split(data, 1 << 20), 0, 32, WriteFlag.ZERO_COPY);
        sender.close();

        assertThat(received.get().mismatch(data)).isEqualTo(-1);
        assertThat(receiver.readv(new MemorySegment[] {arena.allocate(1)}, 0, 1)).isEqualTo(-1);
    }

    @Test
    void aFlushWaitingForAStalledPeerEndsWithAnExceptionWhenAnotherThreadCloses() throws Exception {
        ChannelOptions options = ChannelOptions.defaults().withZeroCopy(true).withCloseTimeout(Duration.ofMillis(500));
        connect("127.0.0.1", options, ChannelOptions.defaults().withReceiveBufferSize(4096));
        MemorySegment data = random(16L << 20);
        sender.writev(new MemorySegment[] {data}, WriteFlag.ZERO_COPY); // partial: the peer never reads
        CompletableFuture<FlushResult> flush = CompletableFuture.supplyAsync(() -> {
            try {
                return sender.flush();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, threads);

        try {
            sender.close();
        } catch (IOException expected) {
            // the peer never read, so close could not confirm every completion
        }

        assertThatThrownBy(flush::get).isInstanceOf(ExecutionException.class)
                .cause().cause().isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void closeWakesAReaderBlockedOnAnotherThread() throws Exception {
        connect("127.0.0.1");
        CompletableFuture<MemorySegment> read = receive(1, 1);

        receiver.close();

        assertThatThrownBy(read::get).isInstanceOf(ExecutionException.class)
                .cause().cause().isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void closingTheListenerWakesAThreadBlockedInAccept() throws Exception {
        listener = provider.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ChannelOptions.defaults());
        CompletableFuture<IOChannel> accepted = CompletableFuture.supplyAsync(() -> {
            try {
                return listener.accept();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }, threads);

        listener.close();

        assertThatThrownBy(accepted::get).isInstanceOf(ExecutionException.class)
                .cause().cause().isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void connectingToAClosedPortFailsNamingTheAddress() throws Exception {
        listener = provider.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ChannelOptions.defaults());
        InetSocketAddress address = listener.localAddress();
        listener.close();

        assertThatThrownBy(() -> provider.connect(address, ChannelOptions.defaults()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Connection refused")
                .hasMessageContaining(SocketAddressText.of(address))
                .hasMessageNotContaining("/" + address.getAddress().getHostAddress());
    }

    @Test
    void diagnosticsNameTheLimitsThatDecideZeroCopy() {
        assertThat(provider.diagnostics()).containsKeys("rlimit-memlock", "optmem-max", "ipc-lock-exempt",
                "max-zero-copy-send", "max-records-in-flight");
    }

    @Test
    void theProviderPresentsItselfAsLinuxWithPriority100() {
        assertThat(provider.name()).isEqualTo("linux");
        assertThat(provider.priority()).isEqualTo(100);
        assertThat(provider.supportsZeroCopy()).isTrue();
    }
}
