package io.channel.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.ChannelOptions;
import io.channel.FlushResult;
import io.channel.NativeIOException;
import io.channel.WriteFlag;
import io.channel.linux.internal.SocketDescriptor;
import io.channel.linux.internal.gen.errno_h;
import io.channel.linux.internal.gen.poll_h;
import io.channel.linux.internal.gen.socket_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The channel's send, ENOBUFS, flush and close logic against a scripted kernel. */
@Timeout(10)
class LinuxChannelWithFakeKernelTest {

    private static final int FD = 42;
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 9);

    private final FakeKernel kernel = new FakeKernel();
    private final Arena arena = Arena.ofShared();

    @AfterEach
    void freeMemory() {
        arena.close();
    }

    private LinuxChannel channel(ChannelOptions options) {
        return new LinuxChannel(kernel, new SocketDescriptor(kernel, FD), options, PEER, PEER, null,
                () -> HostLimits.read(kernel));
    }

    private LinuxChannel channel() {
        return channel(ChannelOptions.defaults().withZeroCopy(true).withCloseTimeout(Duration.ofSeconds(2)));
    }

    private MemorySegment bytes(int size) {
        MemorySegment segment = arena.allocate(size);
        for (int i = 0; i < size; i++) {
            segment.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) i);
        }
        return segment;
    }

    @Test
    void aPartialSendIsReturnedAndWriteAllSendsTheRest() throws Exception {
        kernel.sendScript.add(100L);
        LinuxChannel channel = channel();

        channel.writeAll(bytes(1000));

        assertThat(kernel.sends).extracting(FakeKernel.Send::bytes).containsExactly(1000L, 900L);
        assertThat(channel.statistics().bytesWritten()).isEqualTo(1000);
    }

    @Test
    void anInterruptedSendIsRetried() throws Exception {
        kernel.sendScript.add((long) -errno_h.EINTR());
        LinuxChannel channel = channel();

        long written = channel.writev(new MemorySegment[] {bytes(64)});

        assertThat(written).isEqualTo(64);
        assertThat(kernel.sends).hasSize(2);
    }

    @Test
    void aSendThatWouldBlockWaitsForPolloutAndRetries() throws Exception {
        kernel.sendScript.add((long) -errno_h.EAGAIN());
        LinuxChannel channel = channel();

        channel.writev(new MemorySegment[] {bytes(64)});

        assertThat(kernel.log).containsExactly("sendmsg -" + errno_h.EAGAIN(),
                "poll events=" + poll_h.POLLOUT() + " revents=" + poll_h.POLLOUT(), "sendmsg 64");
    }

    @Test
    void everyZeroCopySendIsMadeWithMsgZerocopyAndMsgNosignal() throws Exception {
        LinuxChannel channel = channel();

        channel.writev(new MemorySegment[] {bytes(64)}, WriteFlag.ZERO_COPY);

        assertThat(kernel.sends.getFirst().flags())
                .isEqualTo(socket_h.MSG_ZEROCOPY() | socket_h.MSG_NOSIGNAL());
        assertThat(channel.statistics().zeroCopySends()).isEqualTo(1);
    }

    @Test
    void aFailedZeroCopySendConsumesNoCompletionId() throws Exception {
        kernel.sendScript.add((long) -errno_h.EINTR());
        LinuxChannel channel = channel();

        channel.writev(new MemorySegment[] {bytes(64)}, WriteFlag.ZERO_COPY);

        assertThat(channel.statistics().zeroCopySends()).isEqualTo(1);
        assertThat(kernel.sends).hasSize(2);
    }

    @Test
    void enobufsWithSendsInFlightWaitsForACompletionAndRetries() throws Exception {
        LinuxChannel channel = channel();
        channel.writev(new MemorySegment[] {bytes(64)}, WriteFlag.ZERO_COPY);
        kernel.sendScript.add((long) -errno_h.ENOBUFS());

        long written = channel.writev(new MemorySegment[] {bytes(64)}, WriteFlag.ZERO_COPY);

        assertThat(written).isEqualTo(64);
        assertThat(kernel.sends).allMatch(FakeKernel.Send::zeroCopy).hasSize(3);
        assertThat(kernel.log).contains("poll events=0 revents=" + poll_h.POLLERR(), "recvmsg(MSG_ERRQUEUE) [0, 0]");
        assertThat(channel.statistics().enobufsRetries()).isEqualTo(1);
        assertThat(channel.statistics().copyFallbacks()).isZero();
    }

    @Test
    void enobufsWithNothingInFlightSendsThatWriteByCopying() throws Exception {
        kernel.sendScript.add((long) -errno_h.ENOBUFS());
        LinuxChannel channel = channel();

        long written = channel.writev(new MemorySegment[] {bytes(64)}, WriteFlag.ZERO_COPY);

        assertThat(written).isEqualTo(64);
        assertThat(kernel.sends).extracting(FakeKernel.Send::zeroCopy).containsExactly(true, false);
        assertThat(channel.statistics().copyFallbacks()).isEqualTo(1);
        assertThat(channel.statistics().zeroCopySends()).isZero();
    }

    @Test
    void strictZeroCopyTurnsAPermanentEnobufsIntoQemusErrorNamingBothLimits() {
        kernel.sendScript.add((long) -errno_h.ENOBUFS());
        LinuxChannel channel = channel(ChannelOptions.defaults().withZeroCopy(true).withStrictZeroCopy(true));

        assertThatThrownBy(() -> channel.writev(new MemorySegment[] {bytes(64)}, WriteFlag.ZERO_COPY))
                .isInstanceOf(NativeIOException.class)
                .hasMessageStartingWith("Process can't lock enough memory for using MSG_ZEROCOPY: fake error "
                        + errno_h.ENOBUFS() + " (ENOBUFS from sendmsg(MSG_ZEROCOPY) for a 64-byte write with 0 of"
                        + " this channel's sends in flight")
                .hasMessageContaining("RLIMIT_MEMLOCK 65536 bytes (soft; hard 65536 bytes)")
                .hasMessageContaining("net.core.optmem_max")
                .hasMessageContaining("ulimit -l")
                .hasMessageContaining("sysctl")
                .satisfies(e -> assertThat(((NativeIOException) e).errno()).isEqualTo(errno_h.ENOBUFS()));
        assertThat(kernel.sends).hasSize(1);
        assertThat(channel.zeroCopyFallbackReason()).isNull();
    }

    @Test
    void strictZeroCopyStillWaitsForACompletionAndRetriesBeforeItFails() throws Exception {
        LinuxChannel channel = channel(ChannelOptions.defaults().withZeroCopy(true).withStrictZeroCopy(true)
                .withCloseTimeout(Duration.ofSeconds(2)));
        channel.writev(new MemorySegment[] {bytes(64)}, WriteFlag.ZERO_COPY);
        kernel.sendScript.add((long) -errno_h.ENOBUFS());

        long written = channel.writev(new MemorySegment[] {bytes(64)}, WriteFlag.ZERO_COPY);

        assertThat(written).isEqualTo(64);
        assertThat(channel.statistics().enobufsRetries()).isEqualTo(1);
        assertThat(channel.statistics().copyFallbacks()).isZero();
    }

    @Test
    void aFlushAfterWritesCopiedByFallbackReportsThemAllCopied() throws Exception {
        kernel.sendScript.add((long) -errno_h.ENOBUFS());
        LinuxChannel channel = channel();
        channel.writev(new MemorySegment[] {bytes(64)}, WriteFlag.ZERO_COPY);

        assertThat(channel.flush()).isEqualTo(FlushResult.ALL_COPIED);
        assertThat(channel.flush()).isEqualTo(FlushResult.NOTHING_PENDING);
    }

    @Test
    void aFallbackCopySaysWhyNamingBothLimits() throws Exception {
        LinuxChannel channel = channel();
        assertThat(channel.zeroCopyFallbackReason()).isNull();
        kernel.sendScript.add((long) -errno_h.ENOBUFS());

        channel.writev(new MemorySegment[] {bytes(64)}, WriteFlag.ZERO_COPY);

        assertThat(channel.zeroCopyFallbackReason())
                .startsWith("the kernel refused to pin zero-copy writes for lack of locked memory: fake error")
                .contains("RLIMIT_MEMLOCK 65536 bytes (soft; hard 65536 bytes)", "net.core.optmem_max")
                .endsWith("; such writes are copied");
    }

    @Test
    void oneCallGathersAtMostIovMaxSegments() throws Exception {
        MemorySegment[] segments = new MemorySegment[3000];
        for (int i = 0; i < segments.length; i++) {
            segments[i] = bytes(3);
        }
        LinuxChannel channel = channel();

        channel.writevAll(segments, 0, segments.length);

        assertThat(kernel.sends).extracting(FakeKernel.Send::iovecs)
                .containsExactly(socket_h.IOV_MAX(), socket_h.IOV_MAX(), 3000 - 2 * socket_h.IOV_MAX());
    }

    @Test
    void eachWriteSendsExactlyItsOwnSegmentsWhenTheMessageIsReused() throws Exception {
        LinuxChannel channel = channel();
        MemorySegment first = bytes(5);
        MemorySegment second = bytes(7);
        MemorySegment third = bytes(11);

        channel.writev(new MemorySegment[] {first, second, third});
        channel.writev(new MemorySegment[] {third.asSlice(4)});

        assertThat(kernel.sends).extracting(FakeKernel.Send::iovecs).containsExactly(3, 1);
        assertThat(kernel.sends).extracting(FakeKernel.Send::bytes).containsExactly(23L, 7L);
        assertThat(kernel.sends.get(1).firstBytes()).containsExactly(4, 5, 6, 7, 8, 9, 10);
    }

    @Test
    void aReadScattersWhatArrivesOverItsSegmentsInOrder() throws Exception {
        kernel.dataToRead.add(new byte[] {1, 2, 3, 4, 5});
        LinuxChannel channel = channel();
        MemorySegment head = arena.allocate(2);
        MemorySegment rest = arena.allocate(8);

        long n = channel.readv(new MemorySegment[] {head, rest}, 0, 2);

        assertThat(n).isEqualTo(5);
        assertThat(head.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).containsExactly(1, 2);
        assertThat(rest.asSlice(0, 3).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).containsExactly(3, 4, 5);
        assertThat(channel.statistics().bytesRead()).isEqualTo(5);
    }

    @Test
    void eachReadOffersExactlyItsOwnSegmentsWhenTheMessageIsReused() throws Exception {
        kernel.dataToRead.add(new byte[] {1});
        kernel.dataToRead.add(new byte[] {2});
        LinuxChannel channel = channel();

        channel.readv(new MemorySegment[] {arena.allocate(3), arena.allocate(4), arena.allocate(5)}, 0, 3);
        channel.readv(new MemorySegment[] {arena.allocate(6)}, 0, 1);

        assertThat(kernel.receives).extracting(FakeKernel.Receive::iovecLengths)
                .containsExactly(java.util.List.of(3L, 4L, 5L), java.util.List.of(6L));
    }

    @Test
    void aReadIntoAHeapSegmentGetsTheBytesThatArrived() throws Exception {
        kernel.dataToRead.add(new byte[] {9, 8, 7});
        LinuxChannel channel = channel();
        byte[] into = new byte[4];

        long n = channel.readv(new MemorySegment[] {MemorySegment.ofArray(into)}, 0, 1);

        assertThat(n).isEqualTo(3);
        assertThat(into).containsExactly(9, 8, 7, 0);
        assertThat(channel.statistics().bytesRead()).isEqualTo(3);
    }

    @Test
    void aReadIntoAHeapSegmentIsOneNonBlockingRecvIntoTheArrayItself() throws Exception {
        kernel.dataToRead.add(new byte[] {1, 2});
        LinuxChannel channel = channel();

        channel.readv(new MemorySegment[] {MemorySegment.ofArray(new byte[10]).asSlice(3)}, 0, 1);

        assertThat(kernel.receives).singleElement().satisfies(receive -> {
            assertThat(receive.call()).isEqualTo("recv");
            assertThat(receive.heap()).isTrue();
            assertThat(receive.iovecLengths()).containsExactly(7L);
            assertThat(receive.flags() & socket_h.MSG_DONTWAIT()).isNotZero();
        });
    }

    @Test
    void aHeapReadThatWouldBlockWaitsForPollinAndRetries() throws Exception {
        kernel.receiveScript.add((long) -errno_h.EAGAIN());
        kernel.dataToRead.add(new byte[] {5});
        LinuxChannel channel = channel();
        byte[] into = new byte[1];

        long n = channel.readv(new MemorySegment[] {MemorySegment.ofArray(into)}, 0, 1);

        assertThat(n).isEqualTo(1);
        assertThat(into).containsExactly(5);
        assertThat(kernel.log).containsSubsequence("recv " + -errno_h.EAGAIN(),
                "poll events=" + poll_h.POLLIN() + " revents=" + poll_h.POLLIN(), "recv 1");
    }

    @Test
    void aFailedHeapReadNamesRecvAndThePeer() {
        kernel.receiveScript.add((long) -errno_h.ECONNRESET());
        LinuxChannel channel = channel();

        assertThatThrownBy(() -> channel.readv(new MemorySegment[] {MemorySegment.ofArray(new byte[4])}, 0, 1))
                .isInstanceOf(NativeIOException.class)
                .hasMessageStartingWith("recv failed").hasMessageContaining("127.0.0.1:9");
    }

    @Test
    void aHeapReadAtTheEndOfTheStreamReturnsMinusOne() throws Exception {
        LinuxChannel channel = channel();

        assertThat(channel.readv(new MemorySegment[] {MemorySegment.ofArray(new byte[4])}, 0, 1)).isEqualTo(-1);
    }

    @Test
    void aReadOfNativeThenHeapSegmentsFillsTheNativeOnesOnly() throws Exception {
        kernel.dataToRead.add(new byte[] {1, 2});
        LinuxChannel channel = channel();
        MemorySegment head = arena.allocate(2);
        byte[] tail = new byte[4];

        long n = channel.readv(new MemorySegment[] {head, MemorySegment.ofArray(tail)}, 0, 2);

        assertThat(n).isEqualTo(2);
        assertThat(kernel.receives).singleElement().satisfies(receive -> {
            assertThat(receive.call()).isEqualTo("recvmsg");
            assertThat(receive.iovecLengths()).containsExactly(2L);
        });
    }

    @Test
    void aHeapReadOnAClosedChannelFails() throws Exception {
        LinuxChannel channel = channel();
        channel.close();

        assertThatThrownBy(() -> channel.readv(new MemorySegment[] {MemorySegment.ofArray(new byte[4])}, 0, 1))
                .isInstanceOf(java.nio.channels.ClosedChannelException.class);
        assertThat(kernel.receives).isEmpty();
    }

    @Test
    void aReadAtTheEndOfTheStreamReturnsMinusOne() throws Exception {
        LinuxChannel channel = channel();

        assertThat(channel.readv(new MemorySegment[] {arena.allocate(4)}, 0, 1)).isEqualTo(-1);
    }

    @Test
    void aWriteFromAHeapSegmentIsOneNonBlockingSendOfTheArrayItself() throws Exception {
        byte[] data = {7, 8, 9};
        LinuxChannel channel = channel();

        long n = channel.writev(new MemorySegment[] {MemorySegment.ofArray(data)});

        assertThat(n).isEqualTo(3);
        assertThat(kernel.sends).singleElement().satisfies(send -> {
            assertThat(send.call()).isEqualTo("send");
            assertThat(send.heap()).isTrue();
            assertThat(send.firstBytes()).containsExactly(7, 8, 9);
            assertThat(send.flags()).isEqualTo(socket_h.MSG_NOSIGNAL() | socket_h.MSG_DONTWAIT());
        });
        assertThat(channel.statistics().bytesWritten()).isEqualTo(3);
    }

    @Test
    void aPartialHeapSendIsReturnedAndWriteAllSendsTheRestFromWhereItStopped() throws Exception {
        kernel.sendScript.add(100L);
        byte[] data = new byte[1000];
        data[100] = 42;
        LinuxChannel channel = channel();

        channel.writeAll(MemorySegment.ofArray(data));

        assertThat(kernel.sends).extracting(FakeKernel.Send::bytes).containsExactly(1000L, 900L);
        assertThat(kernel.sends.get(1).firstBytes()[0]).isEqualTo((byte) 42);
    }

    @Test
    void aHeapSendThatWouldBlockWaitsForPolloutAndRetries() throws Exception {
        kernel.sendScript.add((long) -errno_h.EAGAIN());
        LinuxChannel channel = channel();

        long n = channel.writev(new MemorySegment[] {MemorySegment.ofArray(new byte[64])});

        assertThat(n).isEqualTo(64);
        assertThat(kernel.log).containsSubsequence("send " + -errno_h.EAGAIN(),
                "poll events=" + poll_h.POLLOUT() + " revents=" + poll_h.POLLOUT(), "send 64");
    }

    @Test
    void aFailedHeapSendNamesSendAndThePeer() {
        kernel.sendScript.add((long) -errno_h.EPIPE());
        LinuxChannel channel = channel();

        assertThatThrownBy(() -> channel.writev(new MemorySegment[] {MemorySegment.ofArray(new byte[4])}))
                .isInstanceOf(NativeIOException.class)
                .hasMessageStartingWith("send failed").hasMessageContaining("127.0.0.1:9");
    }

    @Test
    void aWriteOfMixedSegmentsGathersTheNativeRunsAndSendsEachHeapSegmentInPlace() throws Exception {
        LinuxChannel channel = channel();
        MemorySegment[] mixed = {bytes(5), bytes(6), MemorySegment.ofArray(new byte[] {1, 2, 3}), bytes(7)};

        channel.writevAll(mixed, 0, mixed.length);

        assertThat(kernel.sends).extracting(FakeKernel.Send::call).containsExactly("sendmsg", "send", "sendmsg");
        assertThat(kernel.sends).extracting(FakeKernel.Send::bytes).containsExactly(11L, 3L, 7L);
        assertThat(kernel.sends).extracting(FakeKernel.Send::heap).containsExactly(false, true, false);
    }

    @Test
    void aHeapWriteOnAClosedChannelFails() throws Exception {
        LinuxChannel channel = channel();
        channel.close();

        assertThatThrownBy(() -> channel.writev(new MemorySegment[] {MemorySegment.ofArray(new byte[4])}))
                .isInstanceOf(java.nio.channels.ClosedChannelException.class);
        assertThat(kernel.sends).isEmpty();
    }

    @Test
    void theChannelSaysItTakesHeapSegmentsInPlace() {
        assertThat(channel().features()).contains(io.channel.Feature.HEAP_IN_PLACE);
    }

    @Test
    void flushWithNothingSentReportsNothingPending() throws Exception {
        assertThat(channel().flush()).isEqualTo(FlushResult.NOTHING_PENDING);
    }

    @Test
    void flushWaitsForEveryCompletionAndReportsAllCopied() throws Exception {
        LinuxChannel channel = channel();
        for (int i = 0; i < 3; i++) {
            channel.writev(new MemorySegment[] {bytes(64)}, WriteFlag.ZERO_COPY);
        }

        FlushResult result = channel.flush();

        assertThat(result).isEqualTo(FlushResult.ALL_COPIED);
        assertThat(channel.statistics().completions()).isEqualTo(3);
        assertThat(channel.statistics().copiedCompletions()).isEqualTo(3);
    }

    @Test
    void flushReportsZeroCopyWhenARangeLacksTheCopiedCode() throws Exception {
        kernel.completionsCopied = false;
        LinuxChannel channel = channel();
        channel.writev(new MemorySegment[] {bytes(64)}, WriteFlag.ZERO_COPY);

        assertThat(channel.flush()).isEqualTo(FlushResult.ZERO_COPY);
        assertThat(channel.statistics().copiedCompletions()).isZero();
    }

    @Test
    void asecondFlushWithoutNewSendsReportsNothingPending() throws Exception {
        LinuxChannel channel = channel();
        channel.writev(new MemorySegment[] {bytes(64)}, WriteFlag.ZERO_COPY);
        channel.flush();

        assertThat(channel.flush()).isEqualTo(FlushResult.NOTHING_PENDING);
    }

    @Test
    void closeShutsDownWritingAndDrainsCompletionsBeforeClosingTheDescriptor() throws Exception {
        LinuxChannel channel = channel();
        channel.writev(new MemorySegment[] {bytes(64)}, WriteFlag.ZERO_COPY);

        channel.close();

        int shutWrite = kernel.log.indexOf("shutdown " + socket_h.SHUT_WR());
        int drained = kernel.log.indexOf("recvmsg(MSG_ERRQUEUE) [0, 0]");
        int closed = kernel.log.indexOf("close " + FD);
        assertThat(shutWrite).isNotNegative();
        assertThat(drained).isGreaterThan(shutWrite);
        assertThat(closed).isGreaterThan(drained);
    }
}
