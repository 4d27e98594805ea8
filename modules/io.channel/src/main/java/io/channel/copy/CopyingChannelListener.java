package io.channel.copy;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.IOChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A listening {@code java.nio} socket handing out {@link CopyingChannel}s. */
final class CopyingChannelListener implements ChannelListener {

    private final ServerSocketChannel server;
    private final ChannelOptions options;
    private final SocketAddress local;

    CopyingChannelListener(ServerSocketChannel server, ChannelOptions options) throws IOException {
        this.server = server;
        this.options = options;
        this.local = server.getLocalAddress();
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
        return local instanceof InetSocketAddress inet ? inet : null;
    }

    @Override
    public SocketAddress localSocketAddress() {
        return local;
    }

    @Override
    public String providerName() {
        return CopyingChannelProvider.NAME;
    }

    /** Closes the socket; a Unix domain socket's file, which the bind made, is removed (once, by the first close). */
    @Override
    public void close() throws IOException {
        boolean open = server.isOpen();
        server.close();
        if (open && local instanceof UnixDomainSocketAddress unix) {
            Files.deleteIfExists(unix.getPath());
        }
    }
}
