package migration;

import io.channel.IOChannel;
import io.channel.ShutdownDirection;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

/**
 * A test channel over a real one: addresses, reads, shutdown and close go to it; what a test changes (its
 * features, writes, flushes and counters) is the subclass's.
 */
abstract class DelegatingChannel extends IOChannel {

    /** The channel the bytes really go through. */
    protected final IOChannel delegate;

    DelegatingChannel(IOChannel delegate) {
        this.delegate = delegate;
    }

    @Override
    public InetSocketAddress localAddress() {
        return delegate.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return delegate.remoteAddress();
    }

    @Override
    protected long implReadv(MemorySegment[] iov, int offset, int length) throws IOException {
        return delegate.readv(iov, offset, length);
    }

    @Override
    protected void implShutdown(ShutdownDirection direction) throws IOException {
        delegate.shutdown(direction);
    }

    @Override
    protected void implClose() throws IOException {
        delegate.close();
    }
}
