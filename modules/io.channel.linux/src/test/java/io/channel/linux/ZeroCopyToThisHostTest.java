package io.channel.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The Linux provider's rule for destinations where {@code MSG_ZEROCOPY} is always copied: sockets of this host
 * ({@code Documentation/networking/msg_zerocopy.rst}, "Loopback"). Pure {@code java.net}: it holds on any OS.
 */
class ZeroCopyToThisHostTest {

    private final LinuxChannelProvider provider = new LinuxChannelProvider();

    @Test
    void loopbackAddressesAreCopiedByTheKernel() throws Exception {
        assertThat(provider.zeroCopyCopiesTo(new InetSocketAddress("127.0.0.1", 4444))).isTrue();
        assertThat(provider.zeroCopyCopiesTo(new InetSocketAddress("127.1.2.3", 4444))).isTrue();
        assertThat(provider.zeroCopyCopiesTo(new InetSocketAddress(InetAddress.getByName("::1"), 4444))).isTrue();
    }

    @Test
    void theWildcardAddressReachesThisHostAndIsCopied() {
        assertThat(provider.zeroCopyCopiesTo(new InetSocketAddress("0.0.0.0", 4444))).isTrue();
    }

    @Test
    void anAddressOfOneOfThisHostsInterfacesIsCopied() throws SocketException {
        Optional<InetAddress> local = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> !a.isLoopbackAddress() && !a.isLinkLocalAddress()).findFirst();
        assumeTrue(local.isPresent(), "this host has no interface address besides loopback");

        assertThat(provider.zeroCopyCopiesTo(new InetSocketAddress(local.get(), 4444))).isTrue();
    }

    @Test
    void anAddressOfNoInterfaceHereMayAvoidTheCopy() {
        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): documentation only, never an address of this host.
        assertThat(provider.zeroCopyCopiesTo(new InetSocketAddress("192.0.2.1", 4444))).isFalse();
    }

    @Test
    void anUnresolvedNameIsNotKnownToBeLocal() {
        assertThat(provider.zeroCopyCopiesTo(InetSocketAddress.createUnresolved("localhost", 4444))).isFalse();
    }
}
