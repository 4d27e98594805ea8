package io.channel.linux.internal;

import io.channel.linux.internal.gen.sockaddr_storage;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;

/**
 * Socket calls that need a little scratch memory ({@code int} options, addresses), each with its own
 * confined arena and its result checked.
 */
public final class Sockets {

    private final Syscalls syscalls;
    private final Errors errors;

    /**
     * Creates the calls.
     *
     * @param syscalls the system calls to use
     */
    public Sockets(Syscalls syscalls) {
        this.syscalls = syscalls;
        this.errors = syscalls.errors();
    }

    /**
     * Sets an {@code int} socket option.
     *
     * @param fd    the socket
     * @param level the option level
     * @param name  the option
     * @param value the value
     * @return 0 on success or the positive errno; the caller decides whether that is fatal
     */
    public int trySetInt(int fd, int level, int name, int value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocateFrom(ValueLayout.JAVA_INT, value);
            int r = syscalls.setsockopt(fd, level, name, v, (int) v.byteSize());
            while (r < 0 && Errors.kind(-r) == Errors.Kind.RETRY) {
                r = syscalls.setsockopt(fd, level, name, v, (int) v.byteSize());
            }
            return r < 0 ? -r : 0;
        }
    }

    /**
     * Sets an {@code int} socket option or fails.
     *
     * @param fd    the socket
     * @param level the option level
     * @param name  the option
     * @param value the value
     * @param call  the call as written in C for the message, for example {@code "setsockopt(SO_SNDBUF)"}
     * @throws IOException if the kernel refused
     */
    public void setInt(int fd, int level, int name, int value, String call) throws IOException {
        int errno = trySetInt(fd, level, name, value);
        if (errno != 0) {
            throw errors.exception(call, errno);
        }
    }

    /**
     * Reads an {@code int} socket option.
     *
     * @param fd    the socket
     * @param level the option level
     * @param name  the option
     * @param call  the call as written in C for the message
     * @return the value
     * @throws IOException if the kernel refused
     */
    public int getInt(int fd, int level, int name, String call) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, (int) v.byteSize());
            int r = syscalls.getsockopt(fd, level, name, v, length);
            if (r < 0) {
                throw errors.exception(call, -r);
            }
            return v.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /**
     * {@return the socket's local address ({@code getsockname})}
     * @param fd the socket
     * @throws IOException if the call fails
     */
    public InetSocketAddress localAddress(int fd) throws IOException {
        return address(fd, false);
    }

    /**
     * {@return the peer's address ({@code getpeername})}
     * @param fd the socket
     * @throws IOException if the call fails
     */
    public InetSocketAddress remoteAddress(int fd) throws IOException {
        return address(fd, true);
    }

    private InetSocketAddress address(int fd, boolean peer) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment storage = sockaddr_storage.allocate(arena);
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, (int) storage.byteSize());
            int r = peer ? syscalls.getpeername(fd, storage, length) : syscalls.getsockname(fd, storage, length);
            if (r < 0) {
                throw errors.exception(peer ? "getpeername" : "getsockname", -r);
            }
            return SocketAddresses.decode(storage);
        }
    }
}
