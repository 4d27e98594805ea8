package io.channel;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A listening socket that accepts {@link IOChannel}s; made by a {@link io.channel.spi.ChannelProvider}.
 * {@link #close()} is idempotent and wakes a thread blocked in {@link #accept()}.
 */
public interface ChannelListener extends AutoCloseable {

    /**
     * Waits for and accepts the next connection.
     *
     * @return the connected channel
     * @throws java.nio.channels.ClosedChannelException if the listener was closed, also while waiting
     * @throws IOException                              on any other I/O error
     */
    IOChannel accept() throws IOException;

    /**
     * {@return the bound address, with the real port when port 0 was asked for; {@code null} for a Unix domain
     * socket (see {@link #localSocketAddress()})}
     */
    InetSocketAddress localAddress();

    /** {@return the bound address, of any kind: a {@link java.net.UnixDomainSocketAddress} for a Unix domain socket} */
    default SocketAddress localSocketAddress() {
        return localAddress();
    }

    /** {@return the name of the provider that made this listener} */
    String providerName();

    /**
     * Closes the listening socket; later calls do nothing.
     *
     * @throws IOException if closing failed
     */
    @Override
    void close() throws IOException;
}
