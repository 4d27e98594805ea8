package io.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class SocketAddressTextTest {

    @Test
    void aResolvedNameIsPrintedOnceWithoutSlash() {
        assertThat(SocketAddressText.of(new InetSocketAddress("localhost", 9))).isEqualTo("localhost:9");
    }

    @Test
    void aNumericAddressIsPrintedWithoutSlash() throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 4444);
        assertThat(SocketAddressText.of(address)).isEqualTo("127.0.0.1:4444");
    }

    @Test
    void anUnresolvedAddressKeepsItsName() {
        assertThat(SocketAddressText.of(InetSocketAddress.createUnresolved("dest-host", 1)))
                .isEqualTo("dest-host:1");
    }

    @Test
    void anIpv6AddressIsBracketed() throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("::1"), 7);
        assertThat(SocketAddressText.of(address)).isEqualTo("[0:0:0:0:0:0:0:1]:7");
    }

    @Test
    void noAddressIsAQuestionMark() {
        assertThat(SocketAddressText.of(null)).isEqualTo("?");
    }
}
