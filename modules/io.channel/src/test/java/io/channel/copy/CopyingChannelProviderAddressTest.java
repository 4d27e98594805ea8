package io.channel.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Host names given to the copying provider are resolved, and a bad one fails with a checked exception. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CopyingChannelProviderAddressTest {

    /** RFC 2606 reserves {@code .invalid}: it never resolves. */
    private static final String NO_SUCH_HOST = "no-such-host.invalid";

    private final CopyingChannelProvider provider = new CopyingChannelProvider();

    @Test
    void listeningOnAHostNameThatDoesNotResolveFailsWithUnknownHostExceptionNamingIt() {
        assertThatThrownBy(() -> provider.listen(InetSocketAddress.createUnresolved(NO_SUCH_HOST, 0),
                ChannelOptions.defaults()))
                .isInstanceOf(UnknownHostException.class)
                .hasMessageContaining(NO_SUCH_HOST);
    }

    @Test
    void connectingToAHostNameThatDoesNotResolveFailsWithUnknownHostExceptionNamingIt() {
        assertThatThrownBy(() -> provider.connect(InetSocketAddress.createUnresolved(NO_SUCH_HOST, 9),
                ChannelOptions.defaults()))
                .isInstanceOf(UnknownHostException.class)
                .hasMessageContaining(NO_SUCH_HOST);
    }

    @Test
    void listeningOnAnUnresolvedLoopbackNameResolvesIt() throws Exception {
        try (ChannelListener listener = provider.listen(InetSocketAddress.createUnresolved("localhost", 0),
                ChannelOptions.defaults())) {
            assertThat(listener.localAddress().isUnresolved()).isFalse();
            assertThat(listener.localAddress().getAddress().isLoopbackAddress()).isTrue();
        }
    }
}
