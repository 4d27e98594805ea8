package io.channel.copy;

import io.channel.ChannelStatistics;
import io.channel.Feature;
import io.channel.FlushResult;
import io.channel.IOChannel;
import io.channel.ShutdownDirection;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.attribute.UserPrincipal;
import java.util.Optional;
import jdk.net.ExtendedSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * A blocking {@link SocketChannel} behind the {@link IOChannel} API. Writes are gathering writes that the
 * kernel copies; {@link #flush()} has nothing to wait for.
 */
final class CopyingChannel extends IOChannel {

    /** Linux's {@code IOV_MAX} ({@code bits/uio_lim.h}); NIO caps a gathering write at this many buffers. */
    private static final int MAX_BUFFERS = 1024;
    /** A {@link ByteBuffer} holds at most 2^31-1 bytes; larger segments go in 1 GiB pieces. */
    private static final long MAX_BUFFER_BYTES = 1L << 30;

    private static final Set<Feature> FEATURES = Set.copyOf(EnumSet.of(Feature.SHUTDOWN));

    private final SocketChannel socket;
    private final SocketAddress local;
    private final SocketAddress remote;
    private final LongAdder written = new LongAdder();
    private final LongAdder read = new LongAdder();

    CopyingChannel(SocketChannel socket) throws IOException {
        this.socket = socket;
        this.local = socket.getLocalAddress();
        this.remote = socket.getRemoteAddress();
    }

    @Override
    public Set<Feature> features() {
        return FEATURES;
    }

    @Override
    public String providerName() {
        return CopyingChannelProvider.NAME;
    }

    @Override
    public String zeroCopyUnavailableReason() {
        return "the portable copying provider ('copy', java.nio) always copies; zero-copy needs the Linux"
                + " provider (module io.channel.linux)";
    }

    @Override
    public InetSocketAddress localAddress() {
        return local instanceof InetSocketAddress inet ? inet : null;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote instanceof InetSocketAddress inet ? inet : null;
    }

    @Override
    public SocketAddress localSocketAddress() {
        return local;
    }

    @Override
    public SocketAddress remoteSocketAddress() {
        return remote;
    }

    @Override
    public Optional<UserPrincipal> peerUser() throws IOException {
        if (!(remote instanceof UnixDomainSocketAddress)) {
            return Optional.empty();
        }
        // SO_PEERCRED (man 7 unix): the credentials the peer had when it connected; the JDK's principal compares
        // by uid.
        return Optional.of(socket.getOption(ExtendedSocketOptions.SO_PEERCRED).user());
    }

    @Override
    public ChannelStatistics statistics() {
        return new ChannelStatistics(written.sum(), read.sum(), 0, 0, 0, 0, 0);
    }

    @Override
    protected long implWritev(MemorySegment[] iov, int offset, int length, boolean zeroCopy) throws IOException {
        long n = socket.write(buffers(iov, offset, length));
        written.add(n);
        return n;
    }

    @Override
    protected long implReadv(MemorySegment[] iov, int offset, int length) throws IOException {
        long n = socket.read(buffers(iov, offset, length));
        if (n > 0) {
            read.add(n);
        }
        return n;
    }

    private static ByteBuffer[] buffers(MemorySegment[] iov, int offset, int length) {
        int count = Math.min(length, MAX_BUFFERS);
        ByteBuffer[] buffers = new ByteBuffer[count];
        for (int i = 0; i < count; i++) {
            MemorySegment segment = iov[offset + i];
            if (segment.byteSize() > MAX_BUFFER_BYTES) {
                // A partial write or read is allowed; the caller loops for the rest.
                buffers[i] = segment.asSlice(0, MAX_BUFFER_BYTES).asByteBuffer();
                return java.util.Arrays.copyOf(buffers, i + 1);
            }
            buffers[i] = segment.asByteBuffer();
        }
        return buffers;
    }

    @Override
    protected FlushResult implFlush() {
        return FlushResult.NOTHING_PENDING;
    }

    @Override
    protected void implShutdown(ShutdownDirection direction) throws IOException {
        switch (direction) {
            case READ -> socket.shutdownInput();
            case WRITE -> socket.shutdownOutput();
            case BOTH -> {
                socket.shutdownInput();
                socket.shutdownOutput();
            }
        }
    }

    @Override
    protected void implClose() throws IOException {
        socket.close();
    }
}
