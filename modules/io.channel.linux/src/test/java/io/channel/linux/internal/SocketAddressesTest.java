package io.channel.linux.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.channel.linux.internal.gen.sockaddr_in;
import io.channel.linux.internal.gen.sockaddr_storage;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class SocketAddressesTest {

    private static InetSocketAddress roundTrip(InetSocketAddress address) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment encoded = SocketAddresses.encode(address, arena);
            MemorySegment storage = sockaddr_storage.allocate(arena);
            storage.fill((byte) 0);
            MemorySegment.copy(encoded, 0, storage, 0, encoded.byteSize());
            return SocketAddresses.decode(storage);
        }
    }

    @Test
    void anIpv4AddressSurvivesTheRoundTrip() throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 40000);

        assertThat(roundTrip(address)).isEqualTo(address);
    }

    @Test
    void anIpv6AddressSurvivesTheRoundTrip() throws Exception {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getByName("::1"), 65535);

        assertThat(roundTrip(address)).isEqualTo(address);
    }

    @Test
    void thePortIsStoredInNetworkByteOrder() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment encoded = SocketAddresses.encode(
                    new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0x1234), arena);

            assertThat(encoded.get(ValueLayout.JAVA_BYTE, sockaddr_in.sin_port$offset())).isEqualTo((byte) 0x12);
            assertThat(encoded.get(ValueLayout.JAVA_BYTE, sockaddr_in.sin_port$offset() + 1)).isEqualTo((byte) 0x34);
        }
    }
}
