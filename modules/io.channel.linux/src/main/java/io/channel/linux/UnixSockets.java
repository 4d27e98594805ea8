package io.channel.linux;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.IOChannel;
import io.channel.linux.internal.Errors;
import io.channel.linux.internal.SocketDescriptor;
import io.channel.linux.internal.Syscalls;
import io.channel.linux.internal.gen.sockaddr_un;
import io.channel.linux.internal.gen.socket_h;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Unix domain sockets of the Linux provider ({@code man 7 unix}): connecting ({@link UnixChannel}) and listening
 * ({@link Listener}), on a path of the file system. The provider makes them itself rather than through
 * {@code java.nio} because only a socket it owns can pass descriptors ({@code SCM_RIGHTS}).
 */
final class UnixSockets {

    private UnixSockets() {
    }

    /**
     * Connects to the socket at {@code remote}'s path.
     *
     * @param syscalls the system calls
     * @param remote   the path
     * @param options  the buffer sizes
     * @return the channel
     * @throws IOException naming the path
     */
    static IOChannel connect(Syscalls syscalls, UnixDomainSocketAddress remote, ChannelOptions options)
            throws IOException {
        HandoverRehearsal.awaitEnd();
        Errors errors = syscalls.errors();
        String where = "connecting to unix:" + remote.getPath();
        int fd = newSocket(syscalls, where);
        try (Arena arena = Arena.ofConfined()) {
            setBufferSizes(syscalls, fd, options, where);
            MemorySegment address = encode(remote.getPath(), arena);
            int r;
            do {
                r = syscalls.connect(fd, address, (int) address.byteSize());
            } while (r < 0 && Errors.kind(-r) == Errors.Kind.RETRY);
            if (r < 0) {
                throw errors.exception("connect", -r, where);
            }
            return new UnixChannel(syscalls, fd, UnixDomainSocketAddress.of(""), remote);
        } catch (IOException | RuntimeException | Error e) {
            syscalls.close(fd);
            throw e;
        }
    }

    /**
     * Binds and listens on {@code local}'s path, which must not exist; the listener's close removes it.
     *
     * @param syscalls the system calls
     * @param local    the path
     * @param options  the backlog and the accepted channels' buffer sizes
     * @return the listener
     * @throws IOException naming the path
     */
    static ChannelListener listen(Syscalls syscalls, UnixDomainSocketAddress local, ChannelOptions options)
            throws IOException {
        Errors errors = syscalls.errors();
        String where = "listening on unix:" + local.getPath();
        int fd = newSocket(syscalls, where);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = encode(local.getPath(), arena);
            int r = syscalls.bind(fd, address, (int) address.byteSize());
            if (r < 0) {
                throw errors.exception("bind", -r, where + (Files.exists(local.getPath()) ? " (the path exists:"
                        + " remove a stale socket of an earlier receive first)" : ""));
            }
            r = syscalls.listen(fd, options.backlog());
            if (r < 0) {
                Files.deleteIfExists(local.getPath());
                throw errors.exception("listen", -r, where);
            }
            return new Listener(syscalls, fd, local, options);
        } catch (IOException | RuntimeException | Error e) {
            syscalls.close(fd);
            throw e;
        }
    }

    private static int newSocket(Syscalls syscalls, String where) throws IOException {
        int fd = syscalls.socket(socket_h.AF_UNIX(), socket_h.SOCK_STREAM() | socket_h.SOCK_CLOEXEC(), 0);
        if (fd < 0) {
            throw syscalls.errors().exception("socket(AF_UNIX)", -fd, where);
        }
        return fd;
    }

    private static void setBufferSizes(Syscalls syscalls, int fd, ChannelOptions options, String where)
            throws IOException {
        io.channel.linux.internal.Sockets sockets = new io.channel.linux.internal.Sockets(syscalls);
        if (options.sendBufferSize() > 0) {
            sockets.setInt(fd, socket_h.SOL_SOCKET(), socket_h.SO_SNDBUF(), options.sendBufferSize(),
                    "setsockopt(SO_SNDBUF) " + where);
        }
        if (options.receiveBufferSize() > 0) {
            sockets.setInt(fd, socket_h.SOL_SOCKET(), socket_h.SO_RCVBUF(), options.receiveBufferSize(),
                    "setsockopt(SO_RCVBUF) " + where);
        }
    }

    /**
     * Shuts a socket down, which wakes a thread blocked in it (in {@code accept}, {@code recvmsg} or
     * {@code sendmsg}), then closes it once that thread has left ({@link SocketDescriptor}).
     *
     * @param syscalls   the system calls
     * @param descriptor the socket
     * @return {@code true} if this call closed it, {@code false} if it was closed already
     * @throws IOException if {@code close(2)} ran here and failed
     */
    static boolean shutDownAndClose(Syscalls syscalls, SocketDescriptor descriptor) throws IOException {
        try {
            int fd = descriptor.acquire();
            try {
                syscalls.shutdown(fd, socket_h.SHUT_RDWR());
            } finally {
                descriptor.release();
            }
        } catch (ClosedChannelException e) {
            return false;
        }
        descriptor.close();
        return true;
    }

    /**
     * {@return a {@code struct sockaddr_un} for {@code path}, sized to the path and its NUL}
     *
     * @param path  the socket's path
     * @param arena where it lives
     * @throws IOException if the path does not fit {@code sun_path}
     */
    static MemorySegment encode(Path path, Arena arena) throws IOException {
        byte[] bytes = path.toString().getBytes(StandardCharsets.UTF_8);
        long room = sockaddr_un.sun_path$layout().byteSize();
        if (bytes.length == 0 || bytes.length >= room) {
            throw new IOException("unix:" + path + ": a socket path needs 1 to " + (room - 1) + " bytes, it has "
                    + bytes.length + " (man 7 unix)");
        }
        MemorySegment address = sockaddr_un.allocate(arena);
        address.fill((byte) 0);
        sockaddr_un.sun_family(address, (short) socket_h.AF_UNIX());
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, address, sockaddr_un.sun_path$offset(), bytes.length);
        return address.asSlice(0, sockaddr_un.sun_path$offset() + bytes.length + 1);
    }

    /** A listening Unix domain socket; its close wakes an accept, closes the socket and removes its path. */
    static final class Listener implements ChannelListener {
        private final Syscalls syscalls;
        private final SocketDescriptor descriptor;
        private final UnixDomainSocketAddress local;
        private final ChannelOptions options;
        /** Set by {@link #close()} before it shuts the socket down, so that a blocked accept knows why it ended. */
        private volatile boolean closing;

        Listener(Syscalls syscalls, int fd, UnixDomainSocketAddress local, ChannelOptions options) {
            this.syscalls = syscalls;
            this.descriptor = new SocketDescriptor(syscalls, fd);
            this.local = local;
            this.options = options;
        }

        @Override
        public IOChannel accept() throws IOException {
            HandoverRehearsal.awaitEnd();
            int fd = descriptor.acquire();
            try {
                while (true) {
                    int accepted = syscalls.accept4(fd, MemorySegment.NULL, MemorySegment.NULL,
                            socket_h.SOCK_CLOEXEC());
                    if (accepted >= 0) {
                        try {
                            setBufferSizes(syscalls, accepted, options, "accepted on unix:" + local.getPath());
                        } catch (IOException | RuntimeException e) {
                            syscalls.close(accepted);
                            throw e;
                        }
                        return new UnixChannel(syscalls, accepted, local, UnixDomainSocketAddress.of(""));
                    }
                    Errors.Kind kind = Errors.kind(-accepted);
                    // close() shuts the socket down before it marks it closed: the EINVAL that ends a blocked
                    // accept then is the close, as ChannelListener.accept promises.
                    if (closing || descriptor.isClosed()) {
                        throw new ClosedChannelException();
                    }
                    if (kind != Errors.Kind.RETRY) {
                        throw syscalls.errors().exception("accept4", -accepted, "unix:" + local.getPath());
                    }
                }
            } finally {
                descriptor.release();
            }
        }

        @Override
        public InetSocketAddress localAddress() {
            return null;
        }

        @Override
        public SocketAddress localSocketAddress() {
            return local;
        }

        @Override
        public String providerName() {
            return LinuxChannelProvider.NAME;
        }

        @Override
        public void close() throws IOException {
            closing = true;
            // Linux: shutdown(2) of a listening socket makes a blocked accept return (EINVAL).
            if (shutDownAndClose(syscalls, descriptor)) {
                Files.deleteIfExists(local.getPath());
            }
        }
    }
}
