package io.channel;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

/**
 * How every message of this library names a socket address: {@code host:port}, once, without the leading slash
 * or the doubled {@code name/address} of {@link InetSocketAddress#toString()}.
 */
public final class SocketAddressText {

    private SocketAddressText() {
    }

    /**
     * Formats an address as users typed it: the host name if the address was made from one, else the numeric
     * address; IPv6 addresses in brackets (RFC 3986, section 3.2.2).
     *
     * @param address an address, resolved or not; {@code null} gives {@code "?"}
     * @return {@code host:port}, for example {@code 127.0.0.1:4444}, {@code localhost:4444} or {@code [::1]:4444}
     */
    public static String of(InetSocketAddress address) {
        if (address == null) {
            return "?";
        }
        // getHostString() never triggers a reverse lookup: it is the name given, or the literal address.
        String host = address.getHostString();
        boolean v6 = address.getAddress() instanceof Inet6Address || host.indexOf(':') >= 0;
        if (v6 && !host.startsWith("[")) {
            int scope = host.indexOf('%');
            host = "[" + (scope >= 0 ? host.substring(0, scope) : host) + "]";
        }
        return host + ":" + address.getPort();
    }

    /**
     * Formats an address of any kind: an {@link InetSocketAddress} as {@link #of(InetSocketAddress)} does, a Unix
     * domain socket's as {@code unix:PATH} (an unnamed one, the connecting side's, as {@code unix:(unnamed)}).
     *
     * @param address an address; {@code null} gives {@code "?"}
     * @return the text
     */
    public static String of(SocketAddress address) {
        return switch (address) {
            case null -> "?";
            case InetSocketAddress inet -> of(inet);
            case UnixDomainSocketAddress unix -> "unix:" + (unix.getPath().toString().isEmpty() ? "(unnamed)"
                    : unix.getPath());
            default -> address.toString();
        };
    }
}
