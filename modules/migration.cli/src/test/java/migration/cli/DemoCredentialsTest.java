package migration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.ChannelProviders;
import io.channel.spi.ChannelProvider;
import io.channel.tls.TlsChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The certificates {@code demo --tls} makes with the tool's own throwaway authority. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DemoCredentialsTest {

    @Test
    void theDemoSidesAuthenticateEachOtherAndTheDestinationAllowsOnlyTheDemoSource() throws Exception {
        DemoCredentials demo = DemoCredentials.make();
        ChannelProvider copy = ChannelProviders.named("copy");
        try (ChannelListener listener = copy.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ChannelOptions.defaults())) {
            CompletableFuture<TlsChannel> serving = CompletableFuture.supplyAsync(() -> {
                try {
                    return TlsChannel.server(listener.accept(), demo.destination());
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            try (TlsChannel source = TlsChannel.client(copy.connect(listener.localAddress(),
                    ChannelOptions.defaults()), "127.0.0.1", demo.source());
                 TlsChannel destination = serving.get(30, TimeUnit.SECONDS)) {
                X500Principal sourceIdentity = destination.session().peerIdentity();

                assertThat(source.session().peerIdentity().getName()).isEqualTo("CN=multifd demo destination");
                assertThat(sourceIdentity.getName()).isEqualTo(DemoCredentials.SOURCE_IDENTITY);
                assertThat(demo.destination().refusal(sourceIdentity)).isNull();
                assertThat(demo.destination().refusal(new X500Principal("CN=someone else")))
                        .endsWith("is not among the allowed identities ['CN=multifd demo source']");
            }
        }
    }
}
