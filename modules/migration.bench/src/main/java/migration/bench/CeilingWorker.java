package migration.bench;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The ceiling: N plain blocking {@link SocketChannel} streams with no protocol. Stream i carries the i-th
 * contiguous share of the memory: the sender writes it straight from the source memory, the receiver reads it
 * straight into the destination memory (direct buffers over the segments: no intermediate copy in Java), then
 * answers one byte so the sender's clock stops only when everything has arrived.
 */
final class CeilingWorker {

    /** A {@link ByteBuffer} holds less than 2 GiB: larger shares go in pieces. */
    private static final long PIECE = 1L << 30;
    private static final long PAGE = 4096;

    private CeilingWorker() {
    }

    /** {@return the start of stream {@code i}'s share} */
    static long shareStart(long size, int streams, int i) {
        long share = (size / streams + PAGE - 1) / PAGE * PAGE;
        return Math.min(size, share * i);
    }

    /** Opens the listening socket. */
    static ServerSocketChannel listen() throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        return server;
    }

    /** Accepts the streams and receives every share into {@code memory}; closes the server if {@code last}. */
    static void receive(ServerSocketChannel server, MemorySegment memory, int streams, boolean last)
            throws IOException {
        List<SocketChannel> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < streams; i++) {
                sockets.add(server.accept());
            }
            runAll(streams, i -> {
                SocketChannel socket = sockets.get(i);
                ByteBuffer index = ByteBuffer.allocate(4);
                readFully(socket, index);
                int stream = index.flip().getInt();
                if (stream < 0 || stream >= streams) {
                    throw new IOException("stream index " + stream + " out of range");
                }
                long from = shareStart(memory.byteSize(), streams, stream);
                long to = shareStart(memory.byteSize(), streams, stream + 1);
                for (long at = from; at < to; at += PIECE) {
                    readFully(socket, memory.asSlice(at, Math.min(PIECE, to - at)).asByteBuffer());
                }
                socket.write(ByteBuffer.wrap(new byte[] {1}));
            });
        } finally {
            for (SocketChannel socket : sockets) {
                socket.close();
            }
            if (last) {
                server.close();
            }
        }
    }

    /** Connects the streams and sends every share of {@code memory}; returns when the receiver has all. */
    static void send(int port, MemorySegment memory, int streams) throws IOException {
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        runAll(streams, i -> {
            try (SocketChannel socket = SocketChannel.open(address)) {
                socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
                ByteBuffer index = ByteBuffer.allocate(4).putInt(i).flip();
                while (index.hasRemaining()) {
                    socket.write(index);
                }
                long from = shareStart(memory.byteSize(), streams, i);
                long to = shareStart(memory.byteSize(), streams, i + 1);
                for (long at = from; at < to; at += PIECE) {
                    ByteBuffer piece = memory.asSlice(at, Math.min(PIECE, to - at)).asByteBuffer();
                    while (piece.hasRemaining()) {
                        socket.write(piece);
                    }
                }
                readFully(socket, ByteBuffer.allocate(1));
            }
        });
    }

    private static void readFully(SocketChannel socket, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (socket.read(buffer) < 0) {
                throw new EOFException("the peer closed with " + buffer.remaining() + " bytes missing");
            }
        }
    }

    /** A stream's work. */
    interface StreamTask {
        void run(int stream) throws IOException;
    }

    /** Runs one platform thread per stream and rethrows the first failure. */
    static void runAll(int streams, StreamTask task) throws IOException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            int stream = i;
            threads.add(Thread.ofPlatform().name("bench-stream-" + i).start(() -> {
                try {
                    task.run(stream);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }));
        }
        for (Thread thread : threads) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        Throwable e = failure.get();
        if (e instanceof IOException io) {
            throw io;
        }
        if (e != null) {
            throw new IOException("stream failed: " + e, e);
        }
    }
}
