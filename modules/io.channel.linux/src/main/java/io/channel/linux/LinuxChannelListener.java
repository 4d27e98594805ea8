package io.channel.linux;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.IOChannel;
import io.channel.SocketAddressText;
import io.channel.linux.internal.Errors;
import io.channel.linux.internal.SocketDescriptor;
import io.channel.linux.internal.Syscalls;
import io.channel.linux.internal.gen.errno_h;
import io.channel.linux.internal.gen.poll_h;
import io.channel.linux.internal.gen.pollfd;
import io.channel.linux.internal.gen.sockaddr_storage;
import io.channel.linux.internal.gen.socket_h;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A listening socket of the Linux provider. {@link #accept()} waits in {@code poll} slices; {@link #close()}
 * shuts the socket down ({@code shutdown(SHUT_RDWR)} on a listening socket stops listening and wakes
 * {@code poll} with {@code POLLHUP} on Linux) and closes it once no thread is inside a call on it.
 */
final class LinuxChannelListener implements ChannelListener {

    private final Syscalls syscalls;
    private final Errors errors;
    private final SocketDescriptor descriptor;
    private final ChannelOptions options;
    private final InetSocketAddress local;
    private final AtomicBoolean closed = new AtomicBoolean();

    LinuxChannelListener(Syscalls syscalls, SocketDescriptor descriptor, ChannelOptions options,
                         InetSocketAddress local) {
        this.syscalls = syscalls;
        this.errors = syscalls.errors();
        this.descriptor = descriptor;
        this.options = options;
        this.local = local;
    }

    @Override
    public IOChannel accept() throws IOException {
        int fd = descriptor.acquire();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment peer = sockaddr_storage.allocate(arena);
            MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment poll = pollfd.allocate(arena);
            while (true) {
                if (closed.get()) {
                    throw closedWhileAccepting();
                }
                length.set(ValueLayout.JAVA_INT, 0, (int) peer.byteSize());
                // man 2 accept4: accepted sockets do not inherit O_NONBLOCK on Linux, so ask for it.
                int accepted = syscalls.accept4(fd, peer, length, socket_h.SOCK_CLOEXEC() | socket_h.SOCK_NONBLOCK());
                if (accepted >= 0) {
                    return LinuxChannelProvider.channel(syscalls, accepted, options, null);
                }
                int errno = -accepted;
                if (closed.get()) {
                    throw closedWhileAccepting();
                }
                if (errno == errno_h.ECONNABORTED()) {
                    // man 2 accept: a connection that died while queued; the listener itself is fine.
                    continue;
                }
                switch (Errors.kind(errno)) {
                    case RETRY -> { }
                    case WOULD_BLOCK -> awaitConnection(poll, fd);
                    default -> throw errors.exception("accept4", errno, "listening on " + SocketAddressText.of(local));
                }
            }
        } finally {
            descriptor.release();
        }
    }

    private void awaitConnection(MemorySegment poll, int fd) throws IOException {
        pollfd.fd(poll, fd);
        pollfd.events(poll, (short) poll_h.POLLIN());
        pollfd.revents(poll, (short) 0);
        int r = syscalls.poll(poll, 1, LinuxChannel.POLL_SLICE_MILLIS);
        if (r < 0 && Errors.kind(-r) != Errors.Kind.RETRY) {
            throw errors.exception("poll", -r, "listening on " + SocketAddressText.of(local));
        }
    }

    private ClosedChannelException closedWhileAccepting() {
        AsynchronousCloseException closed = new AsynchronousCloseException();
        closed.initCause(new IOException("accept on " + SocketAddressText.of(local) + " interrupted by close()"));
        return closed;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public String providerName() {
        return LinuxChannelProvider.NAME;
    }

    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        int fd = descriptor.acquire();
        try {
            syscalls.shutdown(fd, socket_h.SHUT_RDWR());
        } finally {
            descriptor.release();
        }
        descriptor.close();
    }
}
