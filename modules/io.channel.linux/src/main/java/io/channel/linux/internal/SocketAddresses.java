package io.channel.linux.internal;

import io.channel.linux.internal.gen.in6_addr;
import io.channel.linux.internal.gen.in_addr;
import io.channel.linux.internal.gen.sockaddr_in6;
import io.channel.linux.internal.gen.sockaddr_in;
import io.channel.linux.internal.gen.sockaddr_storage;
import io.channel.linux.internal.gen.socket_h;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * Converts between {@link InetSocketAddress} and {@code struct sockaddr_in} / {@code sockaddr_in6}
 * ({@code netinet/in.h}). Ports and addresses are in network byte order (big-endian) in the structs, as
 * {@code man 7 ip} and {@code man 7 ipv6} require.
 */
public final class SocketAddresses {

    /** {@code in_port_t} in network byte order. */
    private static final ValueLayout.OfShort PORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private SocketAddresses() {
    }

    /**
     * {@return {@code AF_INET6} for an IPv6 address, else {@code AF_INET}}
     * @param address a resolved address
     */
    public static int family(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address ? socket_h.AF_INET6() : socket_h.AF_INET();
    }

    /**
     * Builds the C address for a resolved socket address.
     *
     * @param address   a resolved address
     * @param allocator where to allocate the struct
     * @return a {@code sockaddr_in} or {@code sockaddr_in6}; its size is the {@code socklen_t} to pass
     */
    public static MemorySegment encode(InetSocketAddress address, SegmentAllocator allocator) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new IllegalArgumentException("unresolved address: " + address);
        }
        if (ip instanceof Inet6Address v6) {
            MemorySegment sa = sockaddr_in6.allocate(allocator);
            sa.fill((byte) 0);
            sockaddr_in6.sin6_family(sa, (short) socket_h.AF_INET6());
            sa.set(PORT, sockaddr_in6.sin6_port$offset(), (short) address.getPort());
            MemorySegment.copy(v6.getAddress(), 0, sa, ValueLayout.JAVA_BYTE, sockaddr_in6.sin6_addr$offset(),
                    (int) in6_addr.sizeof());
            sockaddr_in6.sin6_scope_id(sa, v6.getScopeId());
            return sa;
        }
        MemorySegment sa = sockaddr_in.allocate(allocator);
        sa.fill((byte) 0);
        sockaddr_in.sin_family(sa, (short) socket_h.AF_INET());
        sa.set(PORT, sockaddr_in.sin_port$offset(), (short) address.getPort());
        MemorySegment.copy(((Inet4Address) ip).getAddress(), 0, sa, ValueLayout.JAVA_BYTE,
                sockaddr_in.sin_addr$offset(), (int) in_addr.sizeof());
        return sa;
    }

    /**
     * Reads a C address written by the kernel.
     *
     * @param storage a {@code sockaddr_storage} holding a {@code sockaddr_in} or {@code sockaddr_in6}
     * @return the address (an IPv4-mapped IPv6 address comes back as IPv4)
     * @throws IllegalArgumentException if the family is neither {@code AF_INET} nor {@code AF_INET6}
     */
    public static InetSocketAddress decode(MemorySegment storage) {
        int family = sockaddr_storage.ss_family(storage);
        try {
            if (family == socket_h.AF_INET6()) {
                byte[] bytes = new byte[(int) in6_addr.sizeof()];
                MemorySegment.copy(storage, ValueLayout.JAVA_BYTE, sockaddr_in6.sin6_addr$offset(), bytes, 0,
                        bytes.length);
                int port = Short.toUnsignedInt(storage.get(PORT, sockaddr_in6.sin6_port$offset()));
                int scope = sockaddr_in6.sin6_scope_id(storage);
                InetAddress ip = InetAddress.getByAddress(bytes);
                if (ip instanceof Inet6Address && scope != 0) {
                    ip = Inet6Address.getByAddress(null, bytes, scope);
                }
                return new InetSocketAddress(ip, port);
            }
            if (family == socket_h.AF_INET()) {
                byte[] bytes = new byte[(int) in_addr.sizeof()];
                MemorySegment.copy(storage, ValueLayout.JAVA_BYTE, sockaddr_in.sin_addr$offset(), bytes, 0,
                        bytes.length);
                int port = Short.toUnsignedInt(storage.get(PORT, sockaddr_in.sin_port$offset()));
                return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
            }
        } catch (UnknownHostException e) {
            throw new AssertionError("address of fixed length rejected", e);
        }
        throw new IllegalArgumentException("unsupported address family " + family);
    }
}
