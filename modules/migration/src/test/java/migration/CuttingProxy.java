package migration;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import migration.protocol.FrameType;
import migration.protocol.Wire;

/**
 * A TCP proxy on loopback between a source and a destination that reads the main channel's frames as they pass
 * and cuts the connection at one of them: the way a network fails at a chosen step of the protocol. Multifd
 * channels pass untouched.
 *
 * <p>A cut either closes every connection (both ends see the close) or turns the proxy into a black hole: from
 * the cut on nothing passes either way and nothing is closed, as when a link dies silently.
 */
final class CuttingProxy implements AutoCloseable {

    /** What the proxy does at the frame it watches for. */
    enum Cut {
        /** The frame does not pass; every connection is closed. */
        DROP_AND_CLOSE,
        /** The frame passes; then every connection is closed. */
        PASS_AND_CLOSE,
        /** The frame does not pass, nor anything after it; nothing is closed. */
        DROP_AND_BLACK_HOLE,
        /** No frame of the type passes; everything else does (a peer that says all but that). */
        DROP_ONLY
    }

    private final ServerSocketChannel server;
    private final InetSocketAddress target;
    private final FrameType trigger;
    private final boolean fromSource;
    private final Cut cut;
    private final List<SocketChannel> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final CountDownLatch cutDone = new CountDownLatch(1);
    private volatile boolean blackHole;

    /**
     * Starts a proxy to {@code target} that cuts at the first {@code trigger} frame in the given direction.
     *
     * @param target     the destination's address
     * @param trigger    the frame type to cut at
     * @param fromSource whether the frame goes from the source to the destination
     * @param cut        what to do there
     * @throws IOException if the proxy cannot listen
     */
    CuttingProxy(InetSocketAddress target, FrameType trigger, boolean fromSource, Cut cut) throws IOException {
        this.target = target;
        this.trigger = trigger;
        this.fromSource = fromSource;
        this.cut = cut;
        this.server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
        start("proxy-accept", this::accept);
    }

    /** {@return where the source connects} */
    InetSocketAddress address() throws IOException {
        return (InetSocketAddress) server.getLocalAddress();
    }

    /** {@return whether the cut happened} */
    boolean cutHappened() {
        return cutDone.getCount() == 0;
    }

    private void start(String name, Runnable action) {
        Thread thread = Thread.ofPlatform().name(name).daemon(true).start(action);
        threads.add(thread);
    }

    private void accept() {
        try {
            while (true) {
                SocketChannel from = server.accept();
                SocketChannel to = SocketChannel.open(target);
                to.setOption(StandardSocketOptions.TCP_NODELAY, true);
                from.setOption(StandardSocketOptions.TCP_NODELAY, true);
                sockets.add(from);
                sockets.add(to);
                ByteBuffer first = ByteBuffer.allocate(Wire.PREAMBLE_SIZE);
                if (!fill(from, first)) {
                    continue;
                }
                boolean main = first.getInt(0) == Wire.MAIN_MAGIC;
                write(to, first.flip());
                start("proxy-up", () -> pump(from, to, main, true));
                start("proxy-down", () -> pump(to, from, main, false));
            }
        } catch (IOException e) {
            // Closed.
        }
    }

    /** Copies one direction; on the main channel frame by frame, watching for the trigger. */
    private void pump(SocketChannel in, SocketChannel out, boolean main, boolean up) {
        try {
            if (!main) {
                ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
                while (in.read(buffer) >= 0) {
                    if (blackHole) {
                        buffer.clear();
                        continue;
                    }
                    write(out, buffer.flip());
                    buffer.clear();
                }
                return;
            }
            while (true) {
                ByteBuffer header = ByteBuffer.allocate(Wire.FRAME_HEADER_SIZE);
                if (!fill(in, header)) {
                    return;
                }
                ByteBuffer body = ByteBuffer.allocate(header.getInt(4));
                if (!fill(in, body)) {
                    return;
                }
                boolean ofType = up == fromSource && header.getShort(0) == trigger.code();
                if (ofType && cut == Cut.DROP_ONLY) {
                    cutDone.countDown();
                    continue;
                }
                boolean hit = ofType && cutDone.getCount() > 0;
                if (hit && cut == Cut.PASS_AND_CLOSE) {
                    write(out, header.flip());
                    write(out, body.flip());
                }
                if (hit) {
                    if (cut == Cut.DROP_AND_BLACK_HOLE) {
                        blackHole = true;
                    } else {
                        closeSockets();
                    }
                    cutDone.countDown();
                    continue;
                }
                if (!blackHole) {
                    write(out, header.flip());
                    write(out, body.flip());
                }
            }
        } catch (IOException e) {
            // A side or the cut closed the connection: pass the close on, unless the link is a black hole.
            if (!blackHole) {
                closeQuietly(out);
            }
        }
    }

    private static boolean fill(SocketChannel in, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (in.read(buffer) < 0) {
                return false;
            }
        }
        return true;
    }

    private static void write(SocketChannel out, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            out.write(buffer);
        }
    }

    private void closeSockets() {
        for (SocketChannel socket : sockets) {
            closeQuietly(socket);
        }
    }

    private static void closeQuietly(SocketChannel socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Already closed.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        closeSockets();
        for (Thread thread : threads) {
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
