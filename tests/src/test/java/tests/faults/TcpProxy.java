package tests.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy for fault tests, run as its own process inside the source's network namespace (this kernel has
 * no {@code netem}): it forwards every connection it accepts to one target, holding each chunk of bytes for a
 * fixed delay in each direction, and can cut every connection (with a reset) once a chosen number of bytes
 * has gone from the clients to the target. It prints {@code listening=PORT} once bound and {@code cut} when
 * it cut. Sockets stay open until the process ends, which is when the test is done with it.
 *
 * <pre>
 * TcpProxy LISTEN_HOST TARGET_HOST TARGET_PORT DELAY_MS CUT_AFTER_BYTES   (CUT_AFTER_BYTES -1: never)
 * </pre>
 */
public final class TcpProxy {

    /** Chunks held per direction; bounds the proxy's memory (the reader then blocks, as a full window would). */
    private static final int QUEUE_CHUNKS = 1024;
    private static final byte[] END = new byte[0];

    private final InetSocketAddress target;
    private final long delayNanos;
    private final long cutAfter;
    private final AtomicLong forwarded = new AtomicLong();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private ServerSocket server;
    private volatile boolean cut;

    private TcpProxy(InetSocketAddress target, long delayMillis, long cutAfter) {
        this.target = target;
        this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
        this.cutAfter = cutAfter;
    }

    /**
     * Runs the proxy until it is killed.
     *
     * @param args see the class comment
     * @throws IOException if it cannot listen
     */
    public static void main(String[] args) throws IOException {
        TcpProxy proxy = new TcpProxy(new InetSocketAddress(args[1], Integer.parseInt(args[2])),
                Long.parseLong(args[3]), Long.parseLong(args[4]));
        proxy.server = new ServerSocket(0, 64, InetAddress.getByName(args[0]));
        System.out.println("listening=" + proxy.server.getLocalPort());
        System.out.flush();
        proxy.acceptLoop();
    }

    private void acceptLoop() {
        while (!cut) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                sockets.add(client);
                sockets.add(upstream);
                upstream.connect(target, 10_000);
                pump(client, upstream, true);
                pump(upstream, client, false);
            } catch (IOException e) {
                if (!cut) {
                    System.out.println("error=" + e);
                }
            }
        }
    }

    /** Forwards {@code from} to {@code to}: one thread reads and stamps chunks, another writes them when due. */
    private void pump(Socket from, Socket to, boolean towardTarget) {
        BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
        Thread.ofPlatform().daemon().start(() -> {
            byte[] buffer = new byte[64 * 1024];
            try {
                // Not closed here: closing a socket's stream closes the socket, which the other direction uses.
                InputStream in = from.getInputStream();
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    queue.put(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buffer, n)));
                }
            } catch (IOException | InterruptedException e) {
                // Reset or cut: the writer ends the other side.
            }
            queue.offer(new Chunk(0, END));
        });
        Thread.ofPlatform().daemon().start(() -> {
            try {
                OutputStream out = to.getOutputStream();
                while (true) {
                    Chunk chunk = queue.take();
                    if (chunk.bytes == END) {
                        to.shutdownOutput();
                        return;
                    }
                    // The delay itself: hold the chunk until it is due.
                    for (long wait = chunk.due - System.nanoTime(); wait > 0; wait = chunk.due - System.nanoTime()) {
                        LockSupport.parkNanos(wait);
                    }
                    out.write(chunk.bytes);
                    if (towardTarget && cutAfter >= 0 && forwarded.addAndGet(chunk.bytes.length) >= cutAfter) {
                        cutEverything();
                        return;
                    }
                }
            } catch (IOException | InterruptedException e) {
                // The other side went away; its reader sees it too.
            }
        });
    }

    /** Resets every connection (SO_LINGER 0 makes close send RST) and stops accepting. */
    private synchronized void cutEverything() {
        if (cut) {
            return;
        }
        cut = true;
        // Printed first: once the server socket is closed, main returns and the JVM may exit.
        System.out.println("cut after " + forwarded.get() + " bytes");
        System.out.flush();
        for (Socket socket : sockets) {
            try {
                socket.setSoLinger(true, 0);
                socket.close();
            } catch (IOException e) {
                // Already gone.
            }
        }
        try {
            server.close();
        } catch (IOException e) {
            // Already closed.
        }
    }

    private record Chunk(long due, byte[] bytes) {
    }
}
