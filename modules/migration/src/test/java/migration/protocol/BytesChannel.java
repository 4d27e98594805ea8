package migration.protocol;

import io.channel.ChannelStatistics;
import io.channel.Feature;
import io.channel.FlushResult;
import io.channel.IOChannel;
import io.channel.ShutdownDirection;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.Set;

/**
 * A channel that reads given bytes, at most {@code chunk} per call (as a socket hands out what arrived), then
 * reports the end of the stream; writes are counted and dropped. For feeding peer bytes to decoders.
 */
public final class BytesChannel extends IOChannel {

    private final byte[] bytes;
    private final int chunk;
    private int position;
    private long written;

    /**
     * @param bytes what the peer sends
     * @param chunk the most bytes one read returns, at least 1
     */
    public BytesChannel(byte[] bytes, int chunk) {
        this.bytes = bytes.clone();
        this.chunk = Math.max(1, chunk);
    }

    @Override
    public Set<Feature> features() {
        return Set.of();
    }

    @Override
    public String providerName() {
        return "bytes";
    }

    @Override
    public InetSocketAddress localAddress() {
        return new InetSocketAddress("127.0.0.1", 1);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return new InetSocketAddress("127.0.0.1", 2);
    }

    @Override
    public ChannelStatistics statistics() {
        return new ChannelStatistics(written, position, 0, 0, 0, 0, 0);
    }

    @Override
    protected long implWritev(MemorySegment[] iov, int offset, int length, boolean zeroCopy) {
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += iov[i].byteSize();
        }
        written += n;
        return n;
    }

    @Override
    protected long implReadv(MemorySegment[] iov, int offset, int length) {
        if (position == bytes.length) {
            return -1;
        }
        long done = 0;
        for (int i = offset; i < offset + length && position < bytes.length && done < chunk; i++) {
            int n = (int) Math.min(Math.min(iov[i].byteSize(), bytes.length - position), chunk - done);
            MemorySegment.copy(bytes, position, iov[i], ValueLayout.JAVA_BYTE, 0, n);
            position += n;
            done += n;
        }
        return done;
    }

    @Override
    protected FlushResult implFlush() {
        return FlushResult.NOTHING_PENDING;
    }

    @Override
    protected void implShutdown(ShutdownDirection direction) throws IOException {
        // Nothing to wake: reads never block.
    }

    @Override
    protected void implClose() {
        // Nothing held.
    }
}
