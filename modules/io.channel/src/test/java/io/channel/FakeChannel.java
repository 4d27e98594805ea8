package io.channel;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.Set;

/** An in-memory channel that accepts at most {@code chunk} bytes per write, to exercise partial writes. */
final class FakeChannel extends IOChannel {
    final ByteArrayOutputStream sink = new ByteArrayOutputStream();
    final int chunk;
    final Set<Feature> features;
    int writeCalls;
    int zeroCopyCalls;
    int closeCalls;

    FakeChannel(int chunk, Feature... features) {
        this.chunk = chunk;
        this.features = features.length == 0 ? Set.of() : Set.copyOf(EnumSet.of(features[0], features));
    }

    @Override
    public Set<Feature> features() {
        return features;
    }

    @Override
    public String providerName() {
        return "fake";
    }

    @Override
    public InetSocketAddress localAddress() {
        return new InetSocketAddress(0);
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return new InetSocketAddress(0);
    }

    @Override
    public ChannelStatistics statistics() {
        return ChannelStatistics.EMPTY;
    }

    @Override
    protected long implWritev(MemorySegment[] iov, int offset, int length, boolean zeroCopy) {
        writeCalls++;
        if (zeroCopy) {
            zeroCopyCalls++;
        }
        long budget = chunk;
        long written = 0;
        for (int i = offset; i < offset + length && budget > 0; i++) {
            long n = Math.min(budget, iov[i].byteSize());
            for (long b = 0; b < n; b++) {
                sink.write(iov[i].get(ValueLayout.JAVA_BYTE, b));
            }
            budget -= n;
            written += n;
        }
        return written;
    }

    @Override
    protected long implReadv(MemorySegment[] iov, int offset, int length) {
        return -1;
    }

    @Override
    protected FlushResult implFlush() {
        return FlushResult.NOTHING_PENDING;
    }

    @Override
    protected void implShutdown(ShutdownDirection direction) {
    }

    @Override
    protected void implClose() {
        closeCalls++;
    }
}
