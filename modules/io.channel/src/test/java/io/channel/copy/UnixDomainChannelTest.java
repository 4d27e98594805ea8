package io.channel.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.IOChannel;
import io.channel.spi.ChannelProvider;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.UnixDomainSocketAddress;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Unix domain sockets through the provider SPI ({@link ChannelProvider#connect(java.net.SocketAddress, ChannelOptions)}). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnixDomainChannelTest {

    private final ChannelProvider provider = new CopyingChannelProvider();

    @TempDir
    Path directory;

    @Test
    void bytesCrossAUnixDomainSocketAndTheAddressesSayUnix() throws Exception {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(directory.resolve("m.sock"));
        try (Arena arena = Arena.ofShared();
             ChannelListener listener = provider.listen(address, ChannelOptions.defaults())) {
            MemorySegment sent = arena.allocate(100_000);
            for (long i = 0; i < sent.byteSize(); i++) {
                sent.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31));
            }
            MemorySegment received = arena.allocate(sent.byteSize());
            CompletableFuture<IOChannel> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    IOChannel in = listener.accept();
                    in.readFully(received);
                    return in;
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (IOChannel out = provider.connect(address, ChannelOptions.defaults())) {
                out.writeAll(sent);
                IOChannel in = accepted.get(30, TimeUnit.SECONDS);
                in.close();

                assertThat(received.mismatch(sent)).isEqualTo(-1);
                assertThat(listener.localSocketAddress()).isEqualTo(address);
                assertThat(listener.localAddress()).isNull();
                assertThat(out.remoteSocketAddress()).isEqualTo(address);
                assertThat(in.remoteSocketAddress()).isInstanceOf(UnixDomainSocketAddress.class);
                assertThat(in.remoteAddress()).isNull();
            }
        }
    }

    @Test
    void theAcceptingSideKnowsThePeersUserAndATcpChannelDoesNot() throws Exception {
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(directory.resolve("m.sock"));
        try (ChannelListener listener = provider.listen(address, ChannelOptions.defaults());
             IOChannel out = provider.connect(address, ChannelOptions.defaults());
             IOChannel in = listener.accept()) {
            assertThat(in.peerUser()).contains(FileSystems.getDefault().getUserPrincipalLookupService()
                    .lookupPrincipalByName(System.getProperty("user.name")));
            assertThat(out.peerUser()).isPresent();
        }
        try (ChannelListener tcp = provider.listen(new java.net.InetSocketAddress("127.0.0.1", 0),
                ChannelOptions.defaults());
             IOChannel out = provider.connect(tcp.localAddress(), ChannelOptions.defaults())) {
            assertThat(out.peerUser()).isEmpty();
        }
    }

    @Test
    void closingTheListenerRemovesItsSocketFileAndAnExistingPathIsRefusedNamingIt() throws IOException {
        Path path = directory.resolve("m.sock");
        UnixDomainSocketAddress address = UnixDomainSocketAddress.of(path);
        ChannelListener listener = provider.listen(address, ChannelOptions.defaults());
        assertThat(path).exists();

        assertThatThrownBy(() -> provider.listen(address, ChannelOptions.defaults()))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("listen on unix:" + path + " failed: ")
                .hasMessageContaining("remove a stale socket");
        listener.close();
        listener.close();

        assertThat(path).doesNotExist();
        Files.createFile(path);
        assertThat(Files.exists(path)).isTrue();
    }

    @Test
    void connectingWhereNobodyListensNamesThePath() {
        Path path = directory.resolve("nobody.sock");

        assertThatThrownBy(() -> provider.connect(UnixDomainSocketAddress.of(path), ChannelOptions.defaults()))
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("connect to unix:" + path + " failed: ");
    }
}
