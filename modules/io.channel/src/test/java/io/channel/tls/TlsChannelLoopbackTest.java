package io.channel.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.Feature;
import io.channel.FlushResult;
import io.channel.IOChannel;
import io.channel.ShutdownDirection;
import io.channel.WriteFlag;
import io.channel.ZeroCopyUnavailableException;
import java.io.EOFException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import migration.authority.ThrowawayAuthority;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsChannelLoopbackTest {

    private static final ThrowawayAuthority CA = ThrowawayAuthority.create("loopback test CA");
    private static final TlsParameters SERVER =
            TlsPeers.parameters(CA.issue("destination", TlsPeers.LOOPBACK_NAMES));
    private static final TlsParameters CLIENT =
            TlsPeers.parameters(CA.issue("source", TlsPeers.LOOPBACK_NAMES));

    @BeforeAll
    static void warmUp() throws Exception {
        TlsPeers.warmUp();
    }

    @Test
    void bothSidesSeeTls13TheCipherSuiteAndEachOthersIdentity() throws Exception {
        try (TlsPeers.Pair pair = TlsPeers.pair(SERVER, CLIENT)) {
            TlsChannel client = pair.client();
            TlsChannel server = pair.server();
            assertThat(client.session().protocol()).isEqualTo("TLSv1.3");
            assertThat(client.session().cipherSuite()).isEqualTo("TLS_AES_128_GCM_SHA256");
            assertThat(client.session().peerIdentity()).isEqualTo(new X500Principal("CN=destination"));
            assertThat(server.session().peerIdentity()).isEqualTo(new X500Principal("CN=source"));
            assertThat(server.session().localIdentity()).isEqualTo(new X500Principal("CN=destination"));
            assertThat(client.providerName()).isEqualTo("copy");
        }
    }

    @Test
    void aServerReachedByIpAddressIsCheckedAgainstItsIpAddressNames() throws Exception {
        try (TlsPeers peers = new TlsPeers().serve(SERVER);
             TlsChannel client = peers.connect("127.0.0.1", CLIENT)) {
            assertThat(client.session().peerIdentity().getName()).isEqualTo("CN=destination");
        }
    }

    /**
     * The records are sealed and opened in heap buffers (the JDK's AES-GCM is faster there), but a raw channel
     * without {@link Feature#HEAP_IN_PLACE} gets native memory only, so no provider has to copy through scratch
     * of its own.
     */
    @Test
    void aRawChannelWithoutHeapInPlaceIsHandedNativeMemoryOnly() throws Exception {
        try (Arena arena = Arena.ofShared(); TlsPeers peers = new TlsPeers()) {
            CompletableFuture<TricklingChannel> accepted = TlsPeers.inBackground(
                    () -> new TricklingChannel(peers.acceptPlain(), Long.MAX_VALUE));
            TricklingChannel clientRaw = new TricklingChannel(peers.connectPlain(), Long.MAX_VALUE);
            CompletableFuture<TlsChannel> serving = TlsPeers.inBackground(
                    () -> TlsChannel.server(accepted.get(30, TimeUnit.SECONDS), SERVER));
            try (TlsChannel client = TlsChannel.client(clientRaw, "localhost", CLIENT);
                 TlsChannel server = serving.get(30, TimeUnit.SECONDS)) {
                MemorySegment sent = arena.allocate(1 << 20);
                fill(sent, new Random(5));
                CompletableFuture<Void> writer = TlsPeers.inBackground(() -> {
                    client.writeAll(sent);
                    return null;
                });
                MemorySegment received = arena.allocate(sent.byteSize());
                server.readFully(received);
                writer.get(30, TimeUnit.SECONDS);

                assertThat(received.mismatch(sent)).isEqualTo(-1);
                assertThat(clientRaw.heapMemorySeen()).as("client side").isFalse();
                assertThat(accepted.get().heapMemorySeen()).as("server side").isFalse();
            }
        }
    }

    /**
     * A raw channel with {@link Feature#HEAP_IN_PLACE} is handed the record buffers themselves; records that
     * arrive 1000 bytes at a time still reassemble, in both directions at once.
     */
    @Test
    void aRawChannelWithHeapInPlaceIsHandedTheRecordBuffersAndEveryByteArrives() throws Exception {
        try (Arena arena = Arena.ofShared(); TlsPeers peers = new TlsPeers()) {
            CompletableFuture<TricklingChannel> accepted = TlsPeers.inBackground(
                    () -> new TricklingChannel(peers.acceptPlain(), 1000, Set.of(Feature.HEAP_IN_PLACE)));
            TricklingChannel clientRaw = new TricklingChannel(peers.connectPlain(), Long.MAX_VALUE,
                    Set.of(Feature.HEAP_IN_PLACE));
            CompletableFuture<TlsChannel> serving = TlsPeers.inBackground(
                    () -> TlsChannel.server(accepted.get(30, TimeUnit.SECONDS), SERVER));
            try (TlsChannel client = TlsChannel.client(clientRaw, "localhost", CLIENT);
                 TlsChannel server = serving.get(30, TimeUnit.SECONDS)) {
                MemorySegment toServer = arena.allocate(1 << 20);
                fill(toServer, new Random(8));
                MemorySegment toClient = arena.allocate(300_001);
                fill(toClient, new Random(9));
                CompletableFuture<Void> serverSide = TlsPeers.inBackground(() -> {
                    server.writeAll(toClient);
                    return null;
                });
                CompletableFuture<Void> writer = TlsPeers.inBackground(() -> {
                    client.writeAll(toServer);
                    return null;
                });
                MemorySegment atServer = arena.allocate(toServer.byteSize());
                MemorySegment atClient = arena.allocate(toClient.byteSize());
                server.readFully(atServer);
                client.readFully(atClient);
                writer.get(30, TimeUnit.SECONDS);
                serverSide.get(30, TimeUnit.SECONDS);

                assertThat(atServer.mismatch(toServer)).isEqualTo(-1);
                assertThat(atClient.mismatch(toClient)).isEqualTo(-1);
                assertThat(clientRaw.heapMemorySeen()).as("client side").isTrue();
                assertThat(accepted.get().heapMemorySeen()).as("server side").isTrue();
            }
        }
    }

    /**
     * A write of many batches of records seals full ones, batch after batch: every record of the write has the
     * same length, the largest the engine makes (at most 2^14 bytes of plaintext and the AES-GCM tag, RFC 8446
     * section 5.2), and only the write's last record is shorter.
     */
    @Test
    void aLargeWriteSealsFullRecordsAndOnlyItsLastOneIsShort() throws Exception {
        try (Arena arena = Arena.ofShared(); TlsPeers peers = new TlsPeers()) {
            CompletableFuture<TlsChannel> serving = TlsPeers.inBackground(
                    () -> TlsChannel.server(peers.acceptPlain(), SERVER));
            TricklingChannel clientRaw = new TricklingChannel(peers.connectPlain(), Long.MAX_VALUE);
            try (TlsChannel client = TlsChannel.client(clientRaw, "localhost", CLIENT);
                 TlsChannel server = serving.get(30, TimeUnit.SECONDS)) {
                clientRaw.keepWrites();
                MemorySegment sent = arena.allocate((1 << 20) + 5);
                fill(sent, new Random(10));
                CompletableFuture<Void> reader = TlsPeers.inBackground(() -> {
                    server.readFully(arena.allocate(sent.byteSize()));
                    return null;
                });
                client.writeAll(sent);
                reader.get(30, TimeUnit.SECONDS);

                // Each record: type (1), version (2), length (2), then the sealed inner plaintext.
                List<Integer> lengths = new ArrayList<>();
                ByteBuffer wire = ByteBuffer.wrap(clientRaw.keptWrites());
                while (wire.hasRemaining()) {
                    assertThat(wire.get()).as("record type: application data").isEqualTo((byte) 23);
                    wire.getShort();
                    int length = Short.toUnsignedInt(wire.getShort());
                    lengths.add(length);
                    wire.position(wire.position() + length);
                }
                int full = lengths.getFirst();
                assertThat(full).as("a full record's length").isBetween(1 << 14, (1 << 14) + 256);
                assertThat(lengths.subList(0, lengths.size() - 1)).as("every record but the last").containsOnly(full)
                        .hasSizeGreaterThan(32);
                assertThat(lengths.getLast()).as("the last record").isLessThan(full);
            }
        }
    }

    /** Odd-sized segments, more than a batch of records per call, both directions at once. */
    @Test
    void manyOddSizedSegmentsArriveIntactInBothDirectionsAtOnce() throws Exception {
        try (Arena arena = Arena.ofShared();
             TlsPeers.Pair pair = TlsPeers.pair(SERVER, CLIENT)) {
            TlsChannel client = pair.client();
            TlsChannel server = pair.server();
            MemorySegment[] toServer = randomSegments(arena, 1, 2000);
            MemorySegment[] toClient = randomSegments(arena, 2, 700);
            MemorySegment atServer = arena.allocate(total(toServer));
            MemorySegment atClient = arena.allocate(total(toClient));
            CompletableFuture<Void> serverSide = TlsPeers.inBackground(() -> {
                server.writevAll(toClient, 0, toClient.length);
                server.readFully(atServer);
                return null;
            });
            CompletableFuture<Void> clientReads = TlsPeers.inBackground(() -> {
                client.readFully(atClient);
                return null;
            });
            client.writevAll(toServer, 0, toServer.length);
            serverSide.get(30, TimeUnit.SECONDS);
            clientReads.get(30, TimeUnit.SECONDS);

            assertThat(atServer.mismatch(concatenate(arena, toServer))).isEqualTo(-1);
            assertThat(atClient.mismatch(concatenate(arena, toClient))).isEqualTo(-1);
            assertThat(client.statistics().bytesWritten()).isEqualTo(atServer.byteSize());
            assertThat(server.statistics().bytesRead()).isEqualTo(atServer.byteSize());
        }
    }

    /** Records arrive 1000 bytes at a time, so reads meet partial records, including after an overflow. */
    @ParameterizedTest(name = "reads of {0} bytes")
    @ValueSource(ints = {1, 4096, 16383, 16384, 65536})
    void readsOfAnySizeReassembleRecordsThatArriveInPieces(int readSize) throws Exception {
        try (Arena arena = Arena.ofShared(); TlsPeers peers = new TlsPeers()) {
            CompletableFuture<TlsChannel> serving = TlsPeers.inBackground(
                    () -> TlsChannel.server(new TricklingChannel(peers.acceptPlain(), 1000), SERVER));
            try (TlsChannel client = peers.connect("localhost", CLIENT);
                 TlsChannel server = serving.get(30, TimeUnit.SECONDS)) {
                MemorySegment sent = arena.allocate(100_000);
                fill(sent, new Random(3));
                CompletableFuture<Void> writer = TlsPeers.inBackground(() -> {
                    client.writeAll(sent);
                    return null;
                });
                MemorySegment received = arena.allocate(sent.byteSize());
                MemorySegment[] one = new MemorySegment[1];
                for (long at = 0; at < received.byteSize(); ) {
                    one[0] = received.asSlice(at, Math.min(readSize, received.byteSize() - at));
                    long n = server.readv(one, 0, 1);
                    assertThat(n).isBetween(1L, (long) readSize);
                    at += n;
                }
                writer.get(10, TimeUnit.SECONDS);
                assertThat(received.mismatch(sent)).isEqualTo(-1);
            }
        }
    }

    /**
     * Callers' heap memory, in pieces of a few bytes at odd offsets: the plaintext is copied between the record
     * buffers and any kind of segment, short copies included.
     */
    @Test
    void smallHeapSegmentsAtOddOffsetsArriveIntact() throws Exception {
        try (TlsPeers.Pair pair = TlsPeers.pair(SERVER, CLIENT)) {
            TlsChannel client = pair.client();
            TlsChannel server = pair.server();
            byte[] sent = new byte[50_001];
            new Random(6).nextBytes(sent);
            MemorySegment source = MemorySegment.ofArray(sent);
            List<MemorySegment> pieces = new ArrayList<>();
            for (int at = 0, size = 1; at < sent.length; at += size, size = size % 13 + 1) {
                pieces.add(source.asSlice(at, Math.min(size, sent.length - at)));
            }
            CompletableFuture<Void> writer = TlsPeers.inBackground(() -> {
                client.writevAll(pieces.toArray(MemorySegment[]::new), 0, pieces.size());
                return null;
            });
            byte[] received = new byte[3 + sent.length];
            MemorySegment target = MemorySegment.ofArray(received).asSlice(3);
            MemorySegment[] one = new MemorySegment[1];
            for (long at = 0, size = 1; at < target.byteSize(); size = size % 7 + 1) {
                one[0] = target.asSlice(at, Math.min(size, target.byteSize() - at));
                at += server.readv(one, 0, 1);
            }
            writer.get(30, TimeUnit.SECONDS);

            assertThat(Arrays.copyOfRange(received, 3, received.length)).isEqualTo(sent);
        }
    }

    @Test
    void largeSegmentsArriveIntact() throws Exception {
        try (Arena arena = Arena.ofShared();
             TlsPeers.Pair pair = TlsPeers.pair(SERVER, CLIENT)) {
            TlsChannel client = pair.client();
            TlsChannel server = pair.server();
            MemorySegment sent = arena.allocate(24 << 20);
            fill(sent, new Random(4));
            MemorySegment received = arena.allocate(sent.byteSize());
            CompletableFuture<Void> reader = TlsPeers.inBackground(() -> {
                server.readFully(received);
                return null;
            });
            client.writeAll(sent);
            reader.get(30, TimeUnit.SECONDS);
            assertThat(received.mismatch(sent)).isEqualTo(-1);
        }
    }

    @Test
    void zeroCopyIsNotAFeatureAndAskingForItFailsSayingTlsCopies() throws Exception {
        try (Arena arena = Arena.ofConfined();
             TlsPeers.Pair pair = TlsPeers.pair(SERVER, CLIENT)) {
            TlsChannel client = pair.client();
            TlsChannel server = pair.server();
            assertThat(client.features()).doesNotContain(Feature.WRITE_ZERO_COPY).contains(Feature.SHUTDOWN);
            assertThatThrownBy(() -> client.writeAll(arena.allocate(4096), WriteFlag.ZERO_COPY))
                    .isInstanceOf(ZeroCopyUnavailableException.class)
                    .hasMessageContaining("TLS encrypts every byte");
            assertThat(client.flush()).isEqualTo(FlushResult.NOTHING_PENDING);
            assertThat(server.zeroCopyUnavailableReason()).contains("non-TLS");
        }
    }

    @Test
    void closeSendsCloseNotifySoThePeerReadsACleanEndOfStream() throws Exception {
        try (Arena arena = Arena.ofConfined();
             TlsPeers peers = new TlsPeers().serve(SERVER);
             TlsChannel server = peers.connect("localhost", CLIENT)) {
            TlsChannel client = peers.serverResult();
            client.writeAll(arena.allocate(100));
            client.close();
            client.close();

            assertThat(client.isOpen()).isFalse();
            MemorySegment target = arena.allocate(1000);
            assertThat(server.readv(new MemorySegment[] {target}, 0, 1)).isEqualTo(100);
            assertThat(server.readv(new MemorySegment[] {target}, 0, 1)).isEqualTo(-1);
        }
    }

    @Test
    void shutdownOfTheWriteSideLetsThePeerReadTheEndAndStillAnswer() throws Exception {
        try (Arena arena = Arena.ofConfined();
             TlsPeers.Pair pair = TlsPeers.pair(SERVER, CLIENT)) {
            TlsChannel client = pair.client();
            TlsChannel server = pair.server();
            client.writeAll(arena.allocate(10));
            client.shutdown(ShutdownDirection.WRITE);

            assertThatThrownBy(() -> server.readFully(arena.allocate(16)))
                    .isInstanceOf(EOFException.class)
                    .hasMessageContaining("after 10 of 16 bytes");
            server.writeAll(arena.allocate(5));
            client.readFully(arena.allocate(5));
        }
    }

    @Test
    void anEndOfStreamWithoutCloseNotifySaysTheDataMayBeCutShort() throws Exception {
        try (Arena arena = Arena.ofConfined();
             TlsPeers.Pair pair = TlsPeers.pair(SERVER, CLIENT)) {
            TlsChannel client = pair.client();
            TlsChannel server = pair.server();
            // Cut the connection under TLS, as a crash or an attacker would.
            client.shutdown(ShutdownDirection.BOTH);

            assertThatThrownBy(() -> server.readFully(arena.allocate(16)))
                    .isInstanceOf(EOFException.class)
                    .hasMessageContaining("without a TLS close_notify");
        }
    }

    @Test
    void closeWakesABlockedReader() throws Exception {
        try (Arena arena = Arena.ofShared();
             TlsPeers peers = new TlsPeers().serve(SERVER);
             TlsChannel client = peers.connect("localhost", CLIENT)) {
            TlsChannel server = peers.serverResult();
            CompletableFuture<Thread> readerThread = new CompletableFuture<>();
            CompletableFuture<Long> reader = TlsPeers.inBackground(() -> {
                readerThread.complete(Thread.currentThread());
                return server.readv(new MemorySegment[] {arena.allocate(16)}, 0, 1);
            });
            awaitBlockedInSocketRead(readerThread.get(10, TimeUnit.SECONDS));
            server.close();

            assertThatThrownBy(() -> reader.get(10, TimeUnit.SECONDS)).hasRootCauseInstanceOf(
                    java.nio.channels.ClosedChannelException.class);
            assertThat(client.isOpen()).isTrue();
        }
    }

    private static void awaitBlockedInSocketRead(Thread thread) throws InterruptedException {
        while (java.util.Arrays.stream(thread.getStackTrace())
                .noneMatch(frame -> frame.getClassName().endsWith("SocketChannelImpl")
                        && frame.getMethodName().equals("read"))) {
            Thread.sleep(5);
        }
    }

    @Test
    void noThreadOrDescriptorOutlivesAConnection() throws Exception {
        long before = TlsPeers.openSockets();
        try (TlsPeers peers = new TlsPeers().serve(SERVER);
             IOChannel client = peers.connect("localhost", CLIENT);
             IOChannel server = peers.serverResult()) {
            assertThat(client.isOpen()).isTrue();
            assertThat(server.isOpen()).isTrue();
        }
        assertThat(TlsPeers.tlsThreads()).isEmpty();
        if (before >= 0) {
            assertThat(TlsPeers.openSockets()).isEqualTo(before);
        }
    }

    static MemorySegment[] randomSegments(Arena arena, long seed, int count) {
        Random random = new Random(seed);
        MemorySegment[] segments = new MemorySegment[count];
        for (int i = 0; i < count; i++) {
            segments[i] = arena.allocate(1 + random.nextInt(count == 1 ? 100_000 : 9_000));
            fill(segments[i], random);
        }
        return segments;
    }

    static void fill(MemorySegment segment, Random random) {
        byte[] bytes = new byte[(int) Math.min(segment.byteSize(), 1 << 20)];
        for (long at = 0; at < segment.byteSize(); at += bytes.length) {
            random.nextBytes(bytes);
            long n = Math.min(bytes.length, segment.byteSize() - at);
            MemorySegment.copy(MemorySegment.ofArray(bytes), 0, segment, at, n);
        }
    }

    private static long total(MemorySegment[] segments) {
        long total = 0;
        for (MemorySegment segment : segments) {
            total += segment.byteSize();
        }
        return total;
    }

    private static MemorySegment concatenate(Arena arena, MemorySegment[] segments) {
        MemorySegment all = arena.allocate(total(segments));
        long at = 0;
        for (MemorySegment segment : segments) {
            MemorySegment.copy(segment, 0, all, at, segment.byteSize());
            at += segment.byteSize();
        }
        assertThat(all.get(ValueLayout.JAVA_BYTE, 0)).isEqualTo(segments[0].get(ValueLayout.JAVA_BYTE, 0));
        return all;
    }
}
