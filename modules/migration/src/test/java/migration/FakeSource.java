package migration;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A source written from PROTOCOL.md with plain java.nio sockets and heap buffers, independent of the
 * module's own encoders, so tests can send exactly the bytes they want, hostile ones included.
 */
final class FakeSource implements AutoCloseable {

    static final int MAIN_MAGIC = 0x4D494752;
    static final int MULTIFD_MAGIC = 0x4D464450;
    static final int VERSION = 2;
    static final int FLAG_SYNC = 1;

    final UUID id = UUID.randomUUID();
    private final InetSocketAddress target;
    private final List<SocketChannel> sockets = new ArrayList<>();

    FakeSource(InetSocketAddress target) {
        this.target = target;
    }

    SocketChannel connect() throws IOException {
        SocketChannel socket = SocketChannel.open(target);
        sockets.add(socket);
        return socket;
    }

    /** Opens the main channel and sends the preamble and a HELLO for one block. */
    SocketChannel main(int channels, String block, long size) throws IOException {
        SocketChannel socket = connect();
        byte[] name = block.getBytes(StandardCharsets.UTF_8);
        ByteBuffer hello = ByteBuffer.allocate(36 + 2 + name.length + 8);
        hello.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
        hello.putShort((short) channels).putShort((short) 0).putInt(4096).putInt(128).putInt(0).putInt(1);
        hello.putShort((short) name.length).put(name).putLong(size);
        write(socket, ByteBuffer.allocate(8).putInt(MAIN_MAGIC).putInt(VERSION).flip());
        frame(socket, 1, hello.array());
        return socket;
    }

    /** Opens a multifd channel and sends its init packet. */
    SocketChannel multifd(UUID uuid, int channelId) throws IOException {
        SocketChannel socket = connect();
        write(socket, ByteBuffer.allocate(32).putInt(MULTIFD_MAGIC).putInt(VERSION)
                .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).putInt(channelId)
                .putInt(0).flip());
        return socket;
    }

    static void frame(SocketChannel socket, int type, byte[] body) throws IOException {
        write(socket, ByteBuffer.allocate(8 + body.length).putShort((short) type).putShort((short) 0)
                .putInt(body.length).put(body).flip());
    }

    /** Reads frames until one that is not a HEARTBEAT; returns its type and body. */
    static ByteBuffer readFrame(SocketChannel socket, int expectedType) throws IOException {
        while (true) {
            ByteBuffer header = read(socket, 8);
            int type = header.getShort();
            header.getShort();
            int length = header.getInt();
            ByteBuffer body = read(socket, length);
            if (type == 3) {
                continue;
            }
            if (type != expectedType) {
                throw new IOException("expected frame type " + expectedType + " but got " + type + ": "
                        + StandardCharsets.UTF_8.decode(body));
            }
            return body;
        }
    }

    static ByteBuffer read(SocketChannel socket, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (socket.read(buffer) < 0) {
                throw new EOFException("peer closed");
            }
        }
        return buffer.flip();
    }

    /** A packet header: the fixed part and the given offsets (normal first, then zero). */
    static ByteBuffer header(int magic, int version, int flags, int block, int normal, int zero, long number,
                             long... offsets) {
        ByteBuffer header = ByteBuffer.allocate(32 + 8 * offsets.length);
        header.putInt(magic).putInt(version).putInt(flags).putInt(block).putInt(normal).putInt(zero).putLong(number);
        for (long offset : offsets) {
            header.putLong(offset);
        }
        return header.flip();
    }

    static ByteBuffer dataHeader(int normal, int zero, long number, long... offsets) {
        return header(MULTIFD_MAGIC, VERSION, 0, 0, normal, zero, number, offsets);
    }

    static ByteBuffer sync(long number) {
        return header(MULTIFD_MAGIC, VERSION, FLAG_SYNC, 0, 0, 0, number);
    }

    static void write(SocketChannel socket, ByteBuffer... buffers) throws IOException {
        for (ByteBuffer buffer : buffers) {
            while (buffer.hasRemaining()) {
                socket.write(buffer);
            }
        }
    }

    /**
     * Writes what a hostile source sends; the destination may hang up as soon as it has seen enough to reject
     * it, so a failed write is expected and ignored.
     */
    static void send(SocketChannel socket, ByteBuffer... buffers) {
        try {
            write(socket, buffers);
        } catch (IOException e) {
            // The destination rejected the packet and closed the channel before reading all of it.
        }
    }

    /** Closes a socket with a reset instead of a clean close. */
    static void reset(SocketChannel socket) throws IOException {
        socket.setOption(StandardSocketOptions.SO_LINGER, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        for (SocketChannel socket : sockets) {
            socket.close();
        }
    }
}
