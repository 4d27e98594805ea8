package io.channel.copy;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.IOChannel;
import io.channel.SocketAddressText;
import io.channel.spi.ChannelProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * The portable provider: blocking {@code java.nio} sockets with gathering writes. Works on every OS,
 * always copies, and never claims {@link io.channel.Feature#WRITE_ZERO_COPY}. Its name is {@value #NAME}.
 */
public final class CopyingChannelProvider implements ChannelProvider {

    /** The provider's name, for {@code -Dio.channel.provider=copy}. */
    public static final String NAME = "copy";

    /** Creates the provider; used by {@link java.util.ServiceLoader}. */
    public CopyingChannelProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public boolean supportsZeroCopy() {
        return false;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Throwable unavailabilityCause() {
        return null;
    }

    @Override
    public IOChannel connect(InetSocketAddress remote, ChannelOptions options) throws IOException {
        InetSocketAddress target = ChannelProvider.resolve(remote);
        SocketChannel socket = SocketChannel.open();
        try {
            configure(socket, options);
            // A blocking connect with a timeout needs the old socket adaptor.
            socket.socket().connect(target, (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()));
            return new CopyingChannel(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            if (e instanceof IOException io) {
                throw new IOException("connect to " + SocketAddressText.of(target) + " failed: " + io.getMessage(), io);
            }
            throw e;
        }
    }

    @Override
    public ChannelListener listen(InetSocketAddress local, ChannelOptions options) throws IOException {
        InetSocketAddress address = ChannelProvider.resolve(local);
        ServerSocketChannel server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            if (options.receiveBufferSize() > 0) {
                server.setOption(StandardSocketOptions.SO_RCVBUF, options.receiveBufferSize());
            }
            server.bind(address, options.backlog());
            return new CopyingChannelListener(server, options);
        } catch (IOException | RuntimeException e) {
            server.close();
            if (e instanceof IOException io) {
                throw new IOException("listen on " + SocketAddressText.of(address) + " failed: " + io.getMessage(), io);
            }
            throw e;
        }
    }

    /**
     * Connects a Unix domain socket ({@code man 7 unix}) with {@code java.nio}: the one implementation of every
     * provider ({@link ChannelProvider#connect(SocketAddress, ChannelOptions)}).
     *
     * @param remote  the socket's path
     * @param options the buffer sizes; a local connect does not wait, so there is no timeout
     * @return the channel
     * @throws IOException naming the path
     */
    public static IOChannel connectUnix(UnixDomainSocketAddress remote, ChannelOptions options) throws IOException {
        SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            configure(socket, options);
            socket.connect(remote);
            return new CopyingChannel(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            if (e instanceof IOException io) {
                throw new IOException("connect to unix:" + remote.getPath() + " failed: " + io.getMessage(), io);
            }
            throw e;
        }
    }

    /**
     * Binds a listening Unix domain socket with {@code java.nio} (see {@link #connectUnix}). The bind makes the
     * socket's file, which must not exist; the listener's close removes it.
     *
     * @param local   the socket's path
     * @param options the backlog and the buffer sizes of accepted channels
     * @return the listener
     * @throws IOException naming the path
     */
    public static ChannelListener listenUnix(UnixDomainSocketAddress local, ChannelOptions options)
            throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(local, options.backlog());
            return new CopyingChannelListener(server, options);
        } catch (IOException | RuntimeException e) {
            server.close();
            if (e instanceof IOException io) {
                throw new IOException("listen on unix:" + local.getPath() + " failed: " + io.getMessage()
                        + (java.nio.file.Files.exists(local.getPath()) ? " (the path exists: remove a stale socket"
                        + " of an earlier receive first)" : ""), io);
            }
            throw e;
        }
    }

    static void configure(SocketChannel socket, ChannelOptions options) throws IOException {
        if (!(socket.getLocalAddress() instanceof UnixDomainSocketAddress)
                && socket.supportedOptions().contains(StandardSocketOptions.TCP_NODELAY)) {
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        if (options.sendBufferSize() > 0) {
            socket.setOption(StandardSocketOptions.SO_SNDBUF, options.sendBufferSize());
        }
        if (options.receiveBufferSize() > 0) {
            socket.setOption(StandardSocketOptions.SO_RCVBUF, options.receiveBufferSize());
        }
    }
}
