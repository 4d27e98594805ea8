package migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A source facing a destination that lies or stalls, written with plain sockets. The block is large enough
 * (32 MiB) that a destination that does not read its multifd channels blocks the source's writes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileDestinationTest {

    private static final long MIB = 1024 * 1024;

    private Arena arena;
    private ServerSocketChannel server;
    private final List<SocketChannel> accepted = new ArrayList<>();

    @BeforeEach
    void listen() throws Exception {
        arena = Arena.ofShared();
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void close() throws Exception {
        for (SocketChannel socket : accepted) {
            socket.close();
        }
        server.close();
        arena.close();
        assertThat(MigrationThreads.live()).isEmpty();
    }

    private MigrationSource start(MigrationParameters params) throws Exception {
        RamBlock block = RamBlock.anonymous("ram0", 32 * MIB, arena);
        TestMemory.fillMixed(block.memory(), 3);
        return MigrationSource.start((InetSocketAddress) server.getLocalAddress(), List.of(block), params);
    }

    /** Accepts the main channel and two multifd channels, reads their preambles; returns the main channel. */
    private SocketChannel acceptAll() throws Exception {
        SocketChannel main = null;
        for (int i = 0; i < 3; i++) {
            SocketChannel socket = server.accept();
            accepted.add(socket);
            if (FakeSource.read(socket, 8).getInt() == FakeSource.MAIN_MAGIC) {
                main = socket;
            }
        }
        assertThat(main).isNotNull();
        return main;
    }

    @Test
    void aResultBeforeCompleteIsAProtocolErrorNotASuccess() throws Exception {
        try (MigrationSource migration = start(EndToEndMigrationTest.copying(2))) {
            SocketChannel main = acceptAll();
            FakeSource.frame(main, 2, new byte[0]);
            FakeSource.frame(main, 6, ByteBuffer.allocate(8).putInt(0).putInt(1).array());
            assertThatThrownBy(migration::await).isInstanceOf(MigrationException.class)
                    .hasMessage("main channel: RESULT from the destination before COMPLETE (the source has not sent"
                            + " everything yet)");
        }
    }

    @Test
    void aDestinationThatSendsHeartbeatsButNeverReadsItsChannelsFailsTheSourceNamingAChannel() throws Exception {
        try (MigrationSource migration = start(EndToEndMigrationTest.copying(2)
                .withProgressTimeout(Duration.ofSeconds(1)))) {
            SocketChannel main = acceptAll();
            FakeSource.frame(main, 2, new byte[0]);
            try (Heartbeats beats = new Heartbeats(main)) {
                assertThatThrownBy(migration::await).isInstanceOf(MigrationException.class)
                        .hasMessageMatching("multifd channel [01] made no progress for 1 s: the destination does not"
                                + " read it .*");
            }
        }
    }
}
