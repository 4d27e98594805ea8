package io.channel.tls;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.IOChannel;
import io.channel.copy.CopyingChannelProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import migration.authority.ThrowawayAuthority;

/**
 * A loopback listener and the two ends of a TLS connection over the copying provider. The server side
 * runs its handshake on another thread; {@link #serverResult()} waits for it.
 */
final class TlsPeers implements AutoCloseable {

    static final List<String> LOOPBACK_NAMES = List.of("localhost", "127.0.0.1", "::1");

    /** {@return the defaults with credentials presenting this certificate and trusting only its issuer} */
    static TlsParameters parameters(ThrowawayAuthority.Issued issued) {
        return TlsParameters.of(TlsCredentials.of(List.of(issued.issuer()), List.of(issued.certificate()),
                issued.privateKey()));
    }

    private final CopyingChannelProvider provider = new CopyingChannelProvider();
    private final ChannelListener listener;
    private CompletableFuture<TlsChannel> server;

    TlsPeers() throws IOException {
        listener = provider.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), ChannelOptions.defaults());
    }

    /** Work for another thread that may throw. */
    interface Task<T> {
        T call() throws Exception;
    }

    /** {@return the task running on another thread; what it throws comes out of the future} */
    static <T> CompletableFuture<T> inBackground(Task<T> task) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return task.call();
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
    }

    /** Accepts one connection on another thread and runs the server handshake with {@code parameters}. */
    TlsPeers serve(TlsParameters parameters) {
        server = inBackground(() -> TlsChannel.server(listener.accept(), parameters));
        return this;
    }

    /** {@return the listener's port, on the loopback address} */
    int port() {
        return listener.localAddress().getPort();
    }

    /** {@return a plain connection to the listener} */
    IOChannel connectPlain() throws IOException {
        return provider.connect(listener.localAddress(), ChannelOptions.defaults());
    }

    /** {@return a plain connection accepted by the listener} */
    IOChannel acceptPlain() throws IOException {
        return listener.accept();
    }

    /** {@return a TLS client connected to the listener, expecting the server to be {@code host}} */
    TlsChannel connect(String host, TlsParameters parameters) throws IOException {
        return TlsChannel.client(connectPlain(), host, parameters);
    }

    /** {@return the server's channel, or throws what its handshake threw} */
    TlsChannel serverResult() throws Exception {
        try {
            return server.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CompletionException c && c.getCause() instanceof Exception inner) {
                throw inner;
            }
            throw (Exception) e.getCause();
        }
    }

    /** Waits until the server's handshake has ended, however it ended. */
    void awaitServerEnd() throws InterruptedException, TimeoutException {
        try {
            server.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            // Ended by failing: what the caller waits for.
        }
    }

    /** {@return the server's handshake failure} */
    TlsHandshakeException serverFailure() {
        try {
            TlsChannel channel = serverResult();
            channel.close();
            throw new AssertionError("the server's handshake succeeded: " + channel.session());
        } catch (TlsHandshakeException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError("the server failed with something else", e);
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        if (server != null) {
            try {
                serverResult().close();
            } catch (Exception e) {
                // A failed handshake closed its channel already.
            }
        }
    }

    /**
     * Opens, uses and closes a connection, so that what the JDK opens once and keeps (NIO's pre-close socket
     * pair, for one) is open before a test counts sockets.
     */
    static void warmUp() throws IOException {
        try (TlsPeers peers = new TlsPeers(); IOChannel client = peers.connectPlain();
             IOChannel server = peers.acceptPlain()) {
            server.shutdown(io.channel.ShutdownDirection.BOTH);
            client.shutdown(io.channel.ShutdownDirection.BOTH);
        }
    }

    /** Both ends of a connected TLS pair; closing closes both and the listener. */
    record Pair(TlsPeers peers, TlsChannel client, TlsChannel server) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try (peers; client) {
                server.close();
            }
        }
    }

    /** {@return a connected pair: the client expects the server to be {@code localhost}} */
    static Pair pair(TlsParameters server, TlsParameters client) throws Exception {
        TlsPeers peers = new TlsPeers().serve(server);
        try {
            TlsChannel clientEnd = peers.connect("localhost", client);
            return new Pair(peers, clientEnd, peers.serverResult());
        } catch (Exception e) {
            peers.close();
            throw e;
        }
    }

    /** {@return the names of live threads this package starts} */
    static List<String> tlsThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("tls-")).toList();
    }

    /**
     * {@return how many sockets this process has open, or -1 where {@code /proc/self/fd} is missing} Only
     * sockets: the JDK opens other files lazily (jars, random devices) and keeps them.
     */
    static long openSockets() throws IOException {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return -1;
        }
        try (var list = Files.list(fds)) {
            return list.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException e) {
                    return false; // closed while listing
                }
            }).count();
        }
    }
}
