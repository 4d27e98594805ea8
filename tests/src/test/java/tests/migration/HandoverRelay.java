package tests.migration;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.IOChannel;
import io.channel.ReceivedDescriptors;
import io.channel.ShutdownDirection;
import io.channel.memory.PageMemory;
import io.channel.spi.ChannelProvider;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A relay between a migration source and its destination on the same host, for hostile-source tests: it listens
 * on a Unix domain socket of its own with the Linux provider and, for each connection it accepts, connects to the
 * destination and forwards the bytes both ways, each way on a thread of its own. On the handover channel it reads
 * each handover message with its descriptor and lets a {@link Forwarding} decide what the destination gets.
 *
 * <p>Everything the relay opens or receives it closes by {@link #close()}: the connections, and each descriptor it
 * received, which it takes into an arena of its own ({@code MemoryProvider.mapHandedOver}, the public way to own a
 * received descriptor: checked and mapped as a destination would, closed with the arena).
 */
final class HandoverRelay implements AutoCloseable {

    /** What the relay sends the destination for one handover message. */
    @FunctionalInterface
    interface Forwarding {

        /** Forwards the message with the descriptor it came with, as the source sent it. */
        Forwarding FAITHFUL = (message, descriptor, destination) ->
                destination.writeWithDescriptors(message, descriptor);

        /**
         * Sends the destination what it gets for this message, perhaps nothing.
         *
         * @param message     the message's bytes, native memory
         * @param descriptor  the descriptor that came with it; the relay's, valid until this returns
         * @param destination the handover channel's connection to the destination
         * @throws IOException if writing fails
         */
        void forward(MemorySegment message, int descriptor, IOChannel destination) throws IOException;
    }

    // IMPORTANT: from PROTOCOL.md §3.1 (init packet) and §3.4 (handover message); the classes that hold them
    // (migration.protocol.InitPacket, HandoverMessage, Wire) are in a package the migration module does not export.
    private static final int MULTIFD_MAGIC = 0x4D464450;
    private static final int INIT_PACKET_SIZE = 32;
    private static final int CHANNEL_ID_OFFSET = 24;
    private static final int HANDOVER_CHANNEL = 0xFFFFFFFF;
    private static final int HANDOVER_MESSAGE_SIZE = 16;
    private static final ValueLayout.OfInt WIRE_INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong WIRE_LONG =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final int SEALED_FLAG = 1;
    private static final int BUFFER = 64 * 1024;

    private final ChannelProvider linux;
    private final SocketAddress destination;
    private final Forwarding forwarding;
    private final ChannelListener listener;
    /** Owns every descriptor the relay received. */
    private final Arena received = Arena.ofShared();
    private final List<IOChannel> channels = new CopyOnWriteArrayList<>();
    private final List<Thread> pumps = new CopyOnWriteArrayList<>();
    private final AtomicInteger handoverMessages = new AtomicInteger();
    private final Thread acceptor;
    private volatile IOException acceptFailure;
    /** Set by {@link #close()}, read by the acceptor. */
    private volatile boolean closed;

    private HandoverRelay(ChannelProvider linux, Path socket, SocketAddress destination, Forwarding forwarding)
            throws IOException {
        this.linux = linux;
        this.destination = destination;
        this.forwarding = forwarding;
        this.listener = linux.listen(UnixDomainSocketAddress.of(socket), ChannelOptions.defaults());
        this.acceptor = Thread.ofPlatform().name("relay-acceptor").start(this::accept);
    }

    /**
     * Listens at {@code socket} and relays every connection to {@code destination}.
     *
     * @param linux       the Linux channel provider (descriptors pass only over its Unix domain sockets)
     * @param socket      where to listen; must not exist
     * @param destination the destination's socket
     * @param forwarding  what the destination gets for each handover message
     * @return the running relay
     * @throws IOException if it cannot listen
     */
    static HandoverRelay start(ChannelProvider linux, Path socket, SocketAddress destination, Forwarding forwarding)
            throws IOException {
        return new HandoverRelay(linux, socket, destination, forwarding);
    }

    /** {@return where the relay listens: the source's destination} */
    SocketAddress address() {
        return listener.localSocketAddress();
    }

    /** {@return how many handover messages the relay read from the source so far} */
    int handoverMessages() {
        return handoverMessages.get();
    }

    private void accept() {
        while (true) {
            IOChannel fromSource;
            try {
                fromSource = listener.accept();
            } catch (IOException e) {
                // Closing wakes accept with ClosedChannelException, or with the EINVAL of the listening socket's
                // shutdown when the wake-up comes before the listener counts as closed.
                if (!closed) {
                    acceptFailure = e;
                }
                return;
            }
            channels.add(fromSource);
            IOChannel toDestination;
            try {
                toDestination = linux.connect(destination, ChannelOptions.defaults());
            } catch (IOException e) {
                // The destination is gone: the source sees its connection end.
                shutdown(fromSource, ShutdownDirection.BOTH);
                continue;
            }
            channels.add(toDestination);
            pump("relay-to-destination", () -> towardsDestination(fromSource, toDestination));
            pump("relay-to-source", () -> copy(toDestination, fromSource));
        }
    }

    private void pump(String name, Pump pump) {
        pumps.add(Thread.ofPlatform().name(name).start(() -> {
            try {
                pump.run();
            } catch (IOException e) {
                // The connection ended or broke: the pump ended the other side's writing on its way out.
            }
        }));
    }

    /** One direction of one connection. */
    @FunctionalInterface
    private interface Pump {
        void run() throws IOException;
    }

    /**
     * The source's bytes of one connection: an init packet (multifd magic first) is forwarded whole, then, if it
     * names the handover channel, each message goes through {@link #forwarding}; everything else is copied.
     */
    private void towardsDestination(IOChannel from, IOChannel to) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment init = arena.allocate(INIT_PACKET_SIZE);
            from.readFully(init.asSlice(0, 4));
            if (init.get(WIRE_INT, 0) != MULTIFD_MAGIC) {
                to.writeAll(init.asSlice(0, 4));
                copy(from, to);
                return;
            }
            from.readFully(init.asSlice(4));
            to.writeAll(init);
            if (init.get(WIRE_INT, CHANNEL_ID_OFFSET) != HANDOVER_CHANNEL) {
                copy(from, to);
                return;
            }
            MemorySegment message = arena.allocate(HANDOVER_MESSAGE_SIZE);
            while (true) {
                // At the source's end of stream this throws: the relay is done with the connection.
                try (ReceivedDescriptors descriptors = from.readWithDescriptors(message, 1)) {
                    handoverMessages.incrementAndGet();
                    int descriptor = own(descriptors, message);
                    forwarding.forward(message, descriptor, to);
                }
            }
        } finally {
            shutdown(to, ShutdownDirection.WRITE);
        }
    }

    /** Takes the descriptor that came with {@code message} into {@link #received}, which closes it. */
    private int own(ReceivedDescriptors descriptors, MemorySegment message) throws IOException {
        if (descriptors.count() != 1) {
            throw new IOException("the source sent " + descriptors.count() + " descriptors with a handover message");
        }
        long fileSize = message.get(WIRE_LONG, 8);
        boolean sealed = (message.get(WIRE_INT, 4) & SEALED_FLAG) != 0;
        return PageMemory.provider().mapHandedOver(descriptors.take(0), fileSize, fileSize, sealed, received)
                .descriptor();
    }

    /** Copies {@code from} to {@code to} until {@code from} ends, then ends {@code to}'s writing. */
    private static void copy(IOChannel from, IOChannel to) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(BUFFER);
            MemorySegment[] one = {buffer};
            for (long n = from.readv(one, 0, 1); n >= 0; n = from.readv(one, 0, 1)) {
                to.writeAll(buffer.asSlice(0, n));
            }
        } finally {
            shutdown(to, ShutdownDirection.WRITE);
        }
    }

    private static void shutdown(IOChannel channel, ShutdownDirection direction) {
        try {
            channel.shutdown(direction);
        } catch (IOException e) {
            // Closed or reset already: nothing left to end.
        }
    }

    /**
     * Stops accepting, ends every connection, waits for the threads, and closes every connection and descriptor
     * the relay holds; idempotent.
     *
     * @throws IOException          if closing the listener or a connection failed, or accepting failed before
     * @throws InterruptedException if interrupted while waiting for the threads
     */
    @Override
    public synchronized void close() throws IOException, InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        listener.close();
        acceptor.join();
        for (IOChannel channel : channels) {
            shutdown(channel, ShutdownDirection.BOTH);
        }
        for (Thread pump : pumps) {
            pump.join();
        }
        for (IOChannel channel : channels) {
            channel.close();
        }
        received.close();
        if (acceptFailure != null) {
            throw new IOException("the relay stopped accepting: " + acceptFailure.getMessage(), acceptFailure);
        }
    }
}
