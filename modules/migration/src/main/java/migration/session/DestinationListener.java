package migration.session;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.SocketAddressText;
import io.channel.spi.ChannelProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import migration.MigrationException;

/**
 * Opens a destination's listening socket: resolves the address first, so that a host name that does not resolve
 * fails naming it before anything is open; binds; and warns when a destination without TLS listens where other
 * hosts can reach it. Whatever fails after the bind closes the listener before it propagates.
 */
final class DestinationListener {

    private DestinationListener() {
    }

    /**
     * Resolves {@code local}, binds it with {@code provider}, and warns through {@code log} when {@code tls} is
     * off and the address is not a loopback address.
     *
     * @param provider the channel provider to listen with
     * @param local    where to listen: a Unix domain socket's path, or a host and port, resolved or a host name
     *                 (port 0 picks a free port)
     * @param tls      whether the destination runs TLS
     * @param log      where the warning goes
     * @return the listener, owned by the caller
     * @throws MigrationException naming the address, if its host name does not resolve (the cause is an
     *                            {@link UnknownHostException}) or binding fails
     */
    static ChannelListener open(ChannelProvider provider, SocketAddress local, boolean tls, System.Logger log)
            throws MigrationException {
        if (local instanceof UnixDomainSocketAddress unix) {
            if (tls) {
                throw new MigrationException(SourceSession.TLS_OVER_UNIX_SOCKET);
            }
            try {
                // Only processes that can reach the path connect, and the sorter checks each one's user.
                return provider.listen(unix, ChannelOptions.defaults());
            } catch (IOException e) {
                throw new MigrationException("cannot listen on " + SocketAddressText.of(unix) + ": " + e.getMessage(),
                        e);
            }
        }
        return open(provider, (InetSocketAddress) local, tls, log);
    }

    private static ChannelListener open(ChannelProvider provider, InetSocketAddress local, boolean tls,
                                        System.Logger log) throws MigrationException {
        InetSocketAddress address;
        try {
            address = ChannelProvider.resolve(local);
        } catch (UnknownHostException e) {
            throw new MigrationException("cannot listen on " + SocketAddressText.of(local) + ": " + e.getMessage(), e);
        }
        ChannelListener listener;
        try {
            listener = provider.listen(address, ChannelOptions.defaults());
        } catch (IOException e) {
            throw new MigrationException("cannot listen on " + SocketAddressText.of(local) + ": " + e.getMessage(), e);
        }
        try {
            if (!tls && !address.getAddress().isLoopbackAddress()) {
                // The address as given, with the port bound: a wildcard bound dual-stack reads back as [::].
                InetSocketAddress bound = new InetSocketAddress(address.getAddress(), listener.localAddress().getPort());
                log.log(System.Logger.Level.WARNING, "listening on " + SocketAddressText.of(bound) + " without TLS:"
                        + " anyone who can reach this port can write this process's memory; configure TLS to accept"
                        + " only authenticated sources");
            }
            return listener;
        } catch (RuntimeException | Error e) {
            closeAfter(listener, e);
            throw e;
        }
    }

    /**
     * Closes a listener that cannot be handed out because of {@code failure}, to which a failure to close is added.
     *
     * @param listener the listener
     * @param failure  why it is closed
     */
    static void closeAfter(ChannelListener listener, Throwable failure) {
        try {
            listener.close();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
