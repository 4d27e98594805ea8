package tests.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.Feature;
import io.channel.IOChannel;
import io.channel.spi.ChannelProvider;
import io.channel.tls.TlsChannel;
import io.channel.tls.TlsCredentials;
import io.channel.tls.TlsHandshakeException;
import io.channel.tls.TlsParameters;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import migration.authority.ThrowawayAuthority;
import tests.LinuxProvider;

/** TLS over the Linux provider's own sockets (FFM {@code sendmsg}/{@code recvmsg}), not only over java.nio. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsOverLinuxProviderTest {

    private static final ThrowawayAuthority CA = ThrowawayAuthority.create("linux provider test CA");
    private static final List<String> NAMES = List.of("localhost", "127.0.0.1");
    private static final TlsParameters SERVER = parameters(CA.issue("destination", NAMES));
    private static final TlsParameters CLIENT = parameters(CA.issue("source", NAMES));

    private ChannelProvider linux;

    private static TlsParameters parameters(ThrowawayAuthority.Issued issued) {
        return TlsParameters.of(TlsCredentials.of(List.of(issued.issuer()), List.of(issued.certificate()),
                issued.privateKey()));
    }

    @BeforeEach
    void linuxProvider() {
        linux = LinuxProvider.required();
    }

    @Test
    void dataCrossesTlsOverLinuxSocketsIntact() throws Exception {
        try (Arena arena = Arena.ofShared();
             ChannelListener listener = linux.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     ChannelOptions.defaults())) {
            MemorySegment sent = arena.allocate(16 << 20);
            byte[] random = new byte[(int) sent.byteSize()];
            new Random(7).nextBytes(random);
            MemorySegment.copy(MemorySegment.ofArray(random), 0, sent, 0, sent.byteSize());
            MemorySegment received = arena.allocate(sent.byteSize());
            CompletableFuture<String> server = CompletableFuture.supplyAsync(() -> {
                try (TlsChannel in = TlsChannel.server(listener.accept(), SERVER)) {
                    in.readFully(received);
                    return in.session().peerIdentity().getName();
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            });
            IOChannel raw = linux.connect(listener.localAddress(), ChannelOptions.defaults());
            // The records then go to and from the socket straight from TlsChannel's heap buffers.
            assertThat(raw.features()).contains(Feature.HEAP_IN_PLACE);
            try (TlsChannel out = TlsChannel.client(raw, "localhost", CLIENT)) {
                assertThat(out.providerName()).isEqualTo("linux");
                out.writeAll(sent);
                // The server has read everything before this side closes: a close with unread bytes (the server's
                // TLS 1.3 session tickets) resets the connection and drops what the kernel had not sent yet
                // (RFC 1122 4.2.2.13, tcp_close in net/ipv4/tcp.c).
                assertThat(server.get(30, TimeUnit.SECONDS)).isEqualTo("CN=source");
            }
            assertThat(received.mismatch(sent)).isEqualTo(-1);
        }
    }

    @Test
    void aPlainLinuxClientIsRefusedAsNotTls() throws Exception {
        try (ChannelListener listener = linux.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                ChannelOptions.defaults());
             IOChannel plain = linux.connect(listener.localAddress(), ChannelOptions.defaults())) {
            plain.writeAll(MemorySegment.ofArray("not TLS at all".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            IOChannel accepted = listener.accept();

            assertThatThrownBy(() -> TlsChannel.server(accepted, SERVER))
                    .isInstanceOfSatisfying(TlsHandshakeException.class,
                            e -> assertThat(e.reason()).isEqualTo(TlsHandshakeException.Reason.NOT_TLS));
            assertThat(accepted.isOpen()).as("a refused channel is closed").isFalse();
        }
    }
}
