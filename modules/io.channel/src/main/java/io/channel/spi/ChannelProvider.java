package io.channel.spi;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.IOChannel;
import java.io.IOException;
import io.channel.copy.CopyingChannelProvider;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;

/**
 * A source of {@link IOChannel}s, found through {@link java.util.ServiceLoader}.
 *
 * <p>Implementations must be cheap to construct and do nothing native in their constructor: the
 * availability check runs lazily, once, and keeps its cause. {@link io.channel.ChannelProviders} picks the
 * available provider with the highest {@link #priority()}.
 */
public interface ChannelProvider {

    /** {@return a short unique name, used by the {@code io.channel.provider} system property} */
    String name();

    /** {@return the priority: higher wins among available providers; the copying provider has 0} */
    int priority();

    /** {@return whether this provider can make zero-copy channels at all (when available)} */
    boolean supportsZeroCopy();

    /**
     * Says whether the kernel would surely copy every zero-copy write to {@code destination} anyway, by this
     * provider's own rules and without probing anything (no native call, no socket): a source then copies from
     * the start and never needs this provider. Linux copies every {@code MSG_ZEROCOPY} send whose packets loop to
     * a socket of the same host ({@code Documentation/networking/msg_zerocopy.rst}, "Loopback"), so its
     * provider answers {@code true} for a loopback address or an address of this host.
     *
     * @param destination where a source would connect; may be unresolved, then the answer is {@code false}
     * @return {@code true} only when zero-copy to that destination is known to copy; {@code false} by default
     */
    default boolean zeroCopyCopiesTo(InetSocketAddress destination) {
        return false;
    }

    /** {@return whether the provider works here; computed once} */
    boolean isAvailable();

    /**
     * {@return why the provider is unavailable, or {@code null} if it is available} The cause says exactly
     * why: wrong OS or architecture, native access not enabled (with the flag to add), the kernel refused an
     * option, switched off by a property.
     */
    Throwable unavailabilityCause();

    /**
     * Throws unless the provider is available.
     *
     * @throws UnsupportedOperationException naming the provider, with the cause attached
     */
    default void ensureAvailability() {
        Throwable cause = unavailabilityCause();
        if (cause != null) {
            throw new UnsupportedOperationException("channel provider '" + name() + "' is unavailable: "
                    + cause.getMessage(), cause);
        }
    }

    /**
     * {@return facts about the host that decide what this provider can do, for diagnostics} For the Linux
     * provider: {@code RLIMIT_MEMLOCK}, {@code net.core.optmem_max} and what they allow for zero-copy.
     * Keys are stable, lower-case, dash-separated names; values are human-readable.
     */
    default java.util.Map<String, String> diagnostics() {
        return java.util.Map.of();
    }

    /**
     * Resolves an address given by host name, so that providers fail a bad name with a checked exception that
     * names it, not with the unchecked {@link java.nio.channels.UnresolvedAddressException} of {@code java.nio}.
     *
     * @param address an address, resolved or not
     * @return {@code address} if it is resolved, else the address its host name resolves to now
     * @throws UnknownHostException naming the host, if it cannot be resolved
     */
    static InetSocketAddress resolve(InetSocketAddress address) throws UnknownHostException {
        if (!address.isUnresolved()) {
            return address;
        }
        InetSocketAddress resolved = new InetSocketAddress(address.getHostString(), address.getPort());
        if (resolved.isUnresolved()) {
            throw new UnknownHostException("cannot resolve host '" + address.getHostString() + "'");
        }
        return resolved;
    }

    /**
     * Connects to a remote address; the address may be unresolved (a host name), then it is resolved here.
     *
     * @param remote  where to connect
     * @param options socket options; {@link ChannelOptions#zeroCopy()} asks for zero-copy writes
     * @return the connected channel
     * @throws IOException if the connection fails; the message names the address
     */
    IOChannel connect(InetSocketAddress remote, ChannelOptions options) throws IOException;

    /**
     * Binds a listening socket.
     *
     * @param local   where to listen; port 0 picks a free port; the address may be unresolved (a host name),
     *                then it is resolved here
     * @param options socket options, applied to accepted channels too
     * @return the listener
     * @throws IOException if binding fails; the message names the address ({@link UnknownHostException} if
     *                     the host name does not resolve)
     */
    ChannelListener listen(InetSocketAddress local, ChannelOptions options) throws IOException;

    /**
     * Connects to an address of any kind: an {@link InetSocketAddress} goes to
     * {@link #connect(InetSocketAddress, ChannelOptions)}; a {@link UnixDomainSocketAddress} (same host,
     * {@code man 7 unix}) is connected with {@code java.nio} by default (its channels are the {@code copy}
     * provider's; a Unix domain socket has no zero-copy to offer), and a provider that can do more on one (pass
     * descriptors, {@link io.channel.Feature#PASS_DESCRIPTORS}) overrides this.
     *
     * @param remote  where to connect
     * @param options socket options; zero-copy is ignored for a Unix domain socket
     * @return the connected channel
     * @throws IOException if the connection fails; the message names the address
     * @throws IllegalArgumentException if the address is of another kind
     */
    default IOChannel connect(SocketAddress remote, ChannelOptions options) throws IOException {
        return switch (remote) {
            case InetSocketAddress inet -> connect(inet, options);
            case UnixDomainSocketAddress unix -> CopyingChannelProvider.connectUnix(unix, options);
            default -> throw new IllegalArgumentException("cannot connect to a " + remote.getClass().getName()
                    + ": " + remote);
        };
    }

    /**
     * Listens on an address of any kind, as {@link #connect(SocketAddress, ChannelOptions)} connects.
     *
     * @param local   where to listen; a Unix domain socket's path must not exist
     * @param options socket options, applied to accepted channels too
     * @return the listener; closing it removes a Unix domain socket's file
     * @throws IOException if binding fails; the message names the address
     * @throws IllegalArgumentException if the address is of another kind
     */
    default ChannelListener listen(SocketAddress local, ChannelOptions options) throws IOException {
        return switch (local) {
            case InetSocketAddress inet -> listen(inet, options);
            case UnixDomainSocketAddress unix -> CopyingChannelProvider.listenUnix(unix, options);
            default -> throw new IllegalArgumentException("cannot listen on a " + local.getClass().getName()
                    + ": " + local);
        };
    }

    /**
     * Says, without connecting, whether this provider's channels to {@code destination} can pass open descriptors
     * ({@link io.channel.Feature#PASS_DESCRIPTORS}): the Linux provider's Unix domain sockets can.
     *
     * @param destination where a source would connect
     * @return {@code false} by default
     */
    default boolean passesDescriptorsTo(SocketAddress destination) {
        return false;
    }
}
