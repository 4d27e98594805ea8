package io.channel.copy;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.IOChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A listening {@code java.nio} socket handing out {@link CopyingChannel}s. */
final class CopyingChannelListener implements ChannelListener {

    private final ServerSocketChannel server;
    private final ChannelOptions options;
    private final InetSocketAddress local;

    CopyingChannelListener(ServerSocketChannel server, ChannelOptions options) throws IOException {
        this.server = server;
        this.options = options;
        this.local = (InetSocketAddress) server.getLocalAddress();
    }

    @Override
    public IOChannel accept() throws IOException {
        SocketChannel socket = server.accept();
        try {
            CopyingChannelProvider.configure(socket, options);
            return new CopyingChannel(socket);
        } catch (IOException | UncheckedIOException e) {
            socket.close();
            throw e;
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public String providerName() {
        return CopyingChannelProvider.NAME;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
