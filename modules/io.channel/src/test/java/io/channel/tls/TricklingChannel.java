package io.channel.tls;

import io.channel.ChannelStatistics;
import io.channel.Feature;
import io.channel.FlushResult;
import io.channel.IOChannel;
import io.channel.ShutdownDirection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.Set;

/**
 * Reads at most {@code chunk} bytes at a time from another channel, so that TLS records arrive in pieces, and
 * notes whether it was ever handed heap memory to write from or read into; on request it keeps a copy of the bytes
 * it writes. It may claim features its inner channel lacks, such as {@link Feature#HEAP_IN_PLACE} over a channel
 * that in fact copies heap memory.
 */
class TricklingChannel extends IOChannel {

    private final IOChannel inner;
    private final long chunk;
    private final Set<Feature> features;
    private volatile boolean heapMemorySeen;
    /** The bytes written since {@link #keepWrites()}, or {@code null} when not keeping them. */
    private ByteArrayOutputStream kept;

    TricklingChannel(IOChannel inner, long chunk) {
        this(inner, chunk, Set.of());
    }

    TricklingChannel(IOChannel inner, long chunk, Set<Feature> claimed) {
        this.inner = inner;
        this.chunk = chunk;
        EnumSet<Feature> all = EnumSet.noneOf(Feature.class);
        all.addAll(inner.features());
        all.addAll(claimed);
        this.features = Set.copyOf(all);
    }

    @Override
    public Set<Feature> features() {
        return features;
    }

    @Override
    public String providerName() {
        return inner.providerName();
    }

    @Override
    public InetSocketAddress localAddress() {
        return inner.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return inner.remoteAddress();
    }

    @Override
    public ChannelStatistics statistics() {
        return inner.statistics();
    }

    /** {@return whether a write or read was handed a segment of heap memory} */
    boolean heapMemorySeen() {
        return heapMemorySeen;
    }

    /** Keeps a copy of every byte written from now on. */
    synchronized void keepWrites() {
        kept = new ByteArrayOutputStream();
    }

    /** {@return the bytes written since {@link #keepWrites()}} */
    synchronized byte[] keptWrites() {
        return kept.toByteArray();
    }

    private synchronized void keep(MemorySegment[] iov, int offset, int length, long written) {
        if (kept == null) {
            return;
        }
        long left = written;
        for (int i = offset; i < offset + length && left > 0; i++) {
            long n = Math.min(left, iov[i].byteSize());
            kept.writeBytes(iov[i].asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
            left -= n;
        }
    }

    private void note(MemorySegment[] iov, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (!iov[i].isNative()) {
                heapMemorySeen = true;
            }
        }
    }

    @Override
    protected long implWritev(MemorySegment[] iov, int offset, int length, boolean zeroCopy) throws IOException {
        note(iov, offset, length);
        long written = inner.writev(iov, offset, length);
        keep(iov, offset, length, written);
        return written;
    }

    @Override
    protected long implReadv(MemorySegment[] iov, int offset, int length) throws IOException {
        note(iov, offset, length);
        MemorySegment first = iov[offset];
        return inner.readv(new MemorySegment[] {first.asSlice(0, Math.min(chunk, first.byteSize()))}, 0, 1);
    }

    @Override
    protected FlushResult implFlush() throws IOException {
        return inner.flush();
    }

    @Override
    protected void implShutdown(ShutdownDirection direction) throws IOException {
        inner.shutdown(direction);
    }

    @Override
    protected void implClose() throws IOException {
        inner.close();
    }
}
