package migration.bench;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import migration.RamBlockFile;
import migration.RamBlockProvider;

/**
 * The cold rows' ceiling ({@link Mode#COLD_CEILING}): a file moved into a file over N plain blocking TCP streams
 * on loopback with no protocol, by two fresh processes started as the cold rows' are, through the tool's
 * launcher ({@code multifd bench cold-ceiling send|receive}, {@link ColdCeilingCommand}). It does what
 * {@code multifd send --from} and {@code multifd receive --into} cannot avoid and nothing else: no packets, no
 * digests, no zero-page check.
 *
 * <p>The sender maps the source read-only and writes stream i's contiguous share ({@link CeilingWorker#shareStart})
 * in {@value #SEND_CHUNK}-byte blocking writes, after a header of its own (stream index, stream count, file size).
 * The receiver reads each stream into a {@value #RECEIVE_BUFFER}-byte buffer and writes it at its offset
 * ({@code pwrite}) into the destination through the same {@link RamBlockFile} as {@code receive --into}: a new
 * temporary file in the same directory renamed onto the file at the end, or with in place an existing file of
 * exactly the size, written where it is. Once a stream's last byte is written the
 * receiver answers it one byte, so the sender's clock stops when the receiver has written everything.
 */
public final class ColdCeiling {

    /** Bytes per blocking socket write of the sender. */
    static final int SEND_CHUNK = 512 << 10;
    /** The receiver's buffer per stream, as the destination's staging buffer. */
    static final int RECEIVE_BUFFER = 256 << 10;
    /** IMPORTANT: the same limit as {@code MigrationProtocol.MAX_CHANNELS}. */
    static final int MAX_STREAMS = 255;
    private static final int HEADER = Integer.BYTES + Integer.BYTES + Long.BYTES;

    private ColdCeiling() {
    }

    /**
     * Sends a file over {@code streams} streams and waits until the receiver has written all of it.
     *
     * @param to      where the receiver listens
     * @param from    the file
     * @param streams 1 to {@value #MAX_STREAMS}
     * @return nanoseconds from just before the first connect (the file mapped) until every stream's answer
     * @throws IOException if the file cannot be read or a stream fails; the message says which
     */
    public static long send(InetSocketAddress to, Path from, int streams) throws IOException {
        if (streams < 1 || streams > MAX_STREAMS) {
            throw new IllegalArgumentException("streams must be 1 to " + MAX_STREAMS + ", but is " + streams);
        }
        try (Arena arena = Arena.ofShared()) {
            MemorySegment file;
            try (FileChannel channel = FileChannel.open(from, StandardOpenOption.READ)) {
                file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            } catch (IOException e) {
                throw new IOException("cannot map " + from + " for reading: " + e.getMessage(), e);
            }
            long start = System.nanoTime();
            CeilingWorker.runAll(streams, i -> sendShare(to, file, streams, i));
            return System.nanoTime() - start;
        }
    }

    private static void sendShare(InetSocketAddress to, MemorySegment file, int streams, int i) throws IOException {
        long size = file.byteSize();
        try (SocketChannel socket = SocketChannel.open(to)) {
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            writeFully(socket, ByteBuffer.allocate(HEADER).putInt(i).putInt(streams).putLong(size).flip());
            long end = CeilingWorker.shareStart(size, streams, i + 1);
            for (long at = CeilingWorker.shareStart(size, streams, i); at < end; at += SEND_CHUNK) {
                writeFully(socket, file.asSlice(at, Math.min(SEND_CHUNK, end - at)).asByteBuffer());
            }
            readFully(socket, ByteBuffer.allocate(1), "stream " + i + "'s answer");
        } catch (IOException e) {
            throw new IOException("stream " + i + " of " + streams + ": " + e.getMessage(), e);
        }
    }

    private static void writeFully(SocketChannel socket, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            socket.write(buffer);
        }
    }

    private static void readFully(SocketChannel socket, ByteBuffer buffer, String what) throws IOException {
        while (buffer.hasRemaining()) {
            if (socket.read(buffer) < 0) {
                throw new EOFException("the peer closed with " + buffer.remaining() + " bytes of " + what
                        + " missing");
            }
        }
    }

    /**
     * The receiving side: listens at construction, {@link #receive} takes one transfer, {@link #commit()} makes the
     * received file the destination, {@link #close()} removes a temporary file that was not committed.
     */
    public static final class Receiver implements AutoCloseable {

        private final ServerSocketChannel server;
        private final List<SocketChannel> sockets = new ArrayList<>();
        /** Owns the mapping {@link RamBlockFile} makes of the destination (the streams write through its channel). */
        private final Arena arena = Arena.ofShared();
        private final RamBlockFile destination;
        private FileChannel writer;

        /**
         * Claims the destination as {@code receive --into} does (see {@link RamBlockFile#claim()}), then listens on
         * the loopback address, on a free port.
         *
         * @param into    the destination file
         * @param inPlace whether an existing file of the transfer's size is written where it is
         * @throws IOException if it cannot listen, or the destination cannot be written (the message says why)
         */
        public Receiver(Path into, boolean inPlace) throws IOException {
            destination = inPlace ? RamBlockProvider.fileInPlace(into, arena) : RamBlockProvider.file(into, arena);
            try {
                destination.check();
                destination.claim();
                server = ServerSocketChannel.open();
            } catch (IOException | RuntimeException e) {
                destination.close();
                arena.close();
                throw e;
            }
            try {
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), MAX_STREAMS);
            } catch (IOException e) {
                close();
                throw e;
            }
        }

        /** {@return where it listens} @throws IOException if the socket is closed */
        public InetSocketAddress address() throws IOException {
            return (InetSocketAddress) server.getLocalAddress();
        }

        /** {@return whether the transfer was written into the existing file itself} */
        public boolean writtenInPlace() {
            return destination.writtenInPlace();
        }

        /**
         * Takes one transfer: accepts the first stream, reads its header, opens the destination, accepts the
         * others, and writes every stream's share at its offset, answering each stream once its share is written.
         *
         * @return the bytes received
         * @throws IOException if a stream fails or breaks the header's rules; the message says which
         */
        public long receive() throws IOException {
            SocketChannel first = server.accept();
            sockets.add(first);
            long[] header = readHeader(first, -1, -1);
            int streams = (int) header[1];
            long size = header[2];
            open(size);
            SocketChannel[] byIndex = new SocketChannel[streams];
            byIndex[(int) header[0]] = first;
            for (int k = 1; k < streams; k++) {
                SocketChannel socket = server.accept();
                sockets.add(socket);
                int index = (int) readHeader(socket, streams, size)[0];
                if (byIndex[index] != null) {
                    throw new IOException("two streams announced the index " + index);
                }
                byIndex[index] = socket;
            }
            FileChannel file = writer;
            CeilingWorker.runAll(streams, i -> receiveShare(byIndex[i], file, size, streams, i));
            return size;
        }

        /** {@return index, streams and size from a stream's header, checked against the first one's} */
        private static long[] readHeader(SocketChannel socket, int streams, long size) throws IOException {
            ByteBuffer buffer = ByteBuffer.allocate(HEADER);
            readFully(socket, buffer, "a stream's header");
            buffer.flip();
            int index = buffer.getInt();
            int count = buffer.getInt();
            long bytes = buffer.getLong();
            if (count < 1 || count > MAX_STREAMS || (streams >= 0 && count != streams)) {
                throw new IOException("a stream announced " + count + " streams"
                        + (streams >= 0 ? " after the first announced " + streams : ""));
            }
            if (bytes < 0 || (size >= 0 && bytes != size)) {
                throw new IOException("a stream announced " + bytes + " bytes"
                        + (size >= 0 ? " after the first announced " + size : ""));
            }
            if (index < 0 || index >= count) {
                throw new IOException("stream index " + index + " out of range for " + count + " streams");
            }
            return new long[] {index, count, bytes};
        }

        private static void receiveShare(SocketChannel socket, FileChannel file, long size, int streams, int i)
                throws IOException {
            ByteBuffer buffer = ByteBuffer.allocateDirect(RECEIVE_BUFFER);
            long end = CeilingWorker.shareStart(size, streams, i + 1);
            for (long at = CeilingWorker.shareStart(size, streams, i); at < end; ) {
                buffer.clear().limit((int) Math.min(RECEIVE_BUFFER, end - at));
                readFully(socket, buffer, "stream " + i + "'s share");
                buffer.flip();
                while (buffer.hasRemaining()) {
                    at += file.write(buffer, at);
                }
            }
            writeFully(socket, ByteBuffer.wrap(new byte[] {1}));
        }

        /** Opens what the streams write: the destination's block of {@code size} bytes, as {@code receive} does. */
        private void open(long size) throws IOException {
            destination.blockFor("cold-ceiling", size);
            writer = destination.writer();
        }

        /**
         * Makes the received bytes the destination file, as {@code receive} commits ({@link RamBlockFile#commit()}).
         *
         * @throws IOException if syncing or renaming fails
         * @throws IllegalStateException if nothing was received
         */
        public void commit() throws IOException {
            if (writer == null) {
                throw new IllegalStateException("nothing received into " + destination.file() + " to commit");
            }
            writer = null;
            destination.commit();
        }

        /** Closes the streams and the listening socket and removes an uncommitted temporary file. Idempotent. */
        @Override
        public void close() throws IOException {
            IOException failure = null;
            List<AutoCloseable> open = new ArrayList<>(sockets);
            open.add(server);
            for (AutoCloseable closeable : open) {
                try {
                    if (closeable != null) {
                        closeable.close();
                    }
                } catch (Exception e) {
                    failure = failure == null ? new IOException("cannot close: " + e.getMessage(), e) : failure;
                }
            }
            sockets.clear();
            writer = null;
            try {
                destination.discard();
            } finally {
                if (arena.scope().isAlive()) {
                    arena.close();
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
    }
}
