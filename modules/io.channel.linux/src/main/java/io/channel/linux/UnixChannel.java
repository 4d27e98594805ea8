package io.channel.linux;

import io.channel.ChannelStatistics;
import io.channel.Feature;
import io.channel.FlushResult;
import io.channel.IOChannel;
import io.channel.ReceivedDescriptors;
import io.channel.ShutdownDirection;
import io.channel.TooManyDescriptorsException;
import io.channel.linux.internal.Errors;
import io.channel.linux.internal.SocketDescriptor;
import io.channel.linux.internal.Syscalls;
import io.channel.linux.internal.gen.iovec;
import io.channel.linux.internal.gen.msghdr;
import io.channel.linux.internal.gen.socket_h;
import io.channel.linux.internal.gen.ucred;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.FileSystems;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * A connected Unix domain socket ({@code AF_UNIX}, {@code SOCK_STREAM}, {@code man 7 unix}) of the Linux provider:
 * blocking {@code sendmsg}/{@code recvmsg}, and what {@code java.nio} cannot do on such a socket, passing open
 * descriptors to the peer ({@code SCM_RIGHTS}, {@link RightsMessages}).
 *
 * <p>The socket is blocking: a Unix domain socket copies within the kernel, and no zero-copy completion has to be
 * waited for, so a thread blocked in the kernel is the simplest correct wait. {@link #close()} shuts the socket
 * down first, which wakes a thread blocked in it, and the descriptor is closed when the last call on it has
 * returned ({@link SocketDescriptor}). Heap segments go through native memory of the call's own.
 */
final class UnixChannel extends IOChannel {

    private static final Set<Feature> FEATURES = Set.copyOf(EnumSet.of(Feature.SHUTDOWN, Feature.PASS_DESCRIPTORS));
    /** The most bytes one call copies through native memory for heap segments. */
    private static final long STAGING = 256 << 10;

    static {
        linkDescriptorPassing();
    }

    private final Syscalls syscalls;
    private final Errors errors;
    private final SocketDescriptor descriptor;
    private final UnixDomainSocketAddress local;
    private final UnixDomainSocketAddress remote;
    private final LongAdder written = new LongAdder();
    private final LongAdder read = new LongAdder();

    /**
     * Takes ownership of a connected socket.
     *
     * @param syscalls the system calls
     * @param fd       the socket
     * @param local    its own address (unnamed for a connecting socket)
     * @param remote   the peer's (unnamed for an accepted one)
     */
    UnixChannel(Syscalls syscalls, int fd, UnixDomainSocketAddress local, UnixDomainSocketAddress remote) {
        this.syscalls = syscalls;
        this.errors = syscalls.errors();
        this.descriptor = new SocketDescriptor(syscalls, fd);
        this.local = local;
        this.remote = remote;
    }

    /**
     * Runs, once, the Java side of passing descriptors on scratch memory, with no system call: the accessors of
     * {@code msghdr} and {@code cmsghdr} that only descriptor passing uses, and {@link RightsMessages}. Their first
     * use links method handles and loads classes, milliseconds in all, and a migration passes descriptors inside
     * its downtime, the first time on each side; the first Unix domain socket, at setup, pays here instead.
     */
    private static void linkDescriptorPassing() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment message = msghdr.allocate(arena);
            MemorySegment control = arena.allocate(RightsMessages.space(1), 8);
            msghdr.msg_control(message, control);
            msghdr.msg_controllen(message, RightsMessages.write(control, new int[] {-1}));
            msghdr.msg_flags(message, socket_h.MSG_CTRUNC() & socket_h.MSG_CMSG_CLOEXEC());
            RightsMessages.read(control, msghdr.msg_controllen(message));
            new Received(null).add(new int[0]);
        } catch (RightsMessages.Malformed e) {
            throw new AssertionError("a control message written here does not read back", e);
        }
    }

    /** {@return the socket's descriptor number, for tests that pass it as a descriptor that is no file} */
    int descriptorNumber() {
        return descriptor.number();
    }

    @Override
    public Set<Feature> features() {
        return FEATURES;
    }

    @Override
    public String providerName() {
        return LinuxChannelProvider.NAME;
    }

    @Override
    public String zeroCopyUnavailableReason() {
        return "a Unix domain socket has no zero-copy send (MSG_ZEROCOPY is for TCP and UDP)";
    }

    @Override
    public InetSocketAddress localAddress() {
        return null;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return null;
    }

    @Override
    public SocketAddress localSocketAddress() {
        return local;
    }

    @Override
    public SocketAddress remoteSocketAddress() {
        return remote;
    }

    @Override
    public ChannelStatistics statistics() {
        return new ChannelStatistics(written.sum(), read.sum(), 0, 0, 0, 0, 0);
    }

    /** {@inheritDoc} From {@code getsockopt(SO_PEERCRED)}: the uid the peer had when it connected. */
    @Override
    public Optional<UserPrincipal> peerUser() throws IOException {
        int fd = descriptor.acquire();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment credentials = ucred.allocate(arena);
            MemorySegment length = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_INT, (int) ucred.sizeof());
            int r = syscalls.getsockopt(fd, socket_h.SOL_SOCKET(), socket_h.SO_PEERCRED(), credentials, length);
            if (r < 0) {
                throw errors.exception("getsockopt(SO_PEERCRED)", -r);
            }
            // The JDK's lookup takes a number as a uid when no user has that name; principals compare by uid.
            return Optional.of(FileSystems.getDefault().getUserPrincipalLookupService()
                    .lookupPrincipalByName(Integer.toUnsignedString(ucred.uid(credentials))));
        } finally {
            descriptor.release();
        }
    }

    @Override
    protected long implWritev(MemorySegment[] iov, int offset, int length, boolean zeroCopy) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment message = message(iov, offset, length, arena, true);
            long n = call(message, 0, true);
            written.add(n);
            return n;
        }
    }

    @Override
    protected long implReadv(MemorySegment[] iov, int offset, int length) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment message = message(iov, offset, length, arena, false);
            long n = call(message, 0, false);
            if (n > 0) {
                unstage(iov, offset, message, n);
            }
            read.add(n);
            return n == 0 ? -1 : n;
        }
    }

    @Override
    protected void implWriteWithDescriptors(MemorySegment bytes, int[] descriptors) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment message = message(new MemorySegment[] {bytes}, 0, 1, arena, true);
            MemorySegment control = arena.allocate(RightsMessages.space(descriptors.length), 8);
            msghdr.msg_control(message, control);
            msghdr.msg_controllen(message, RightsMessages.write(control, descriptors));
            // The descriptors go with the first sendmsg; a partial send leaves bytes without control to follow.
            long n = call(message, 0, true);
            written.add(n);
            if (n < bytes.byteSize()) {
                writeAll(bytes.asSlice(n));
            }
        }
    }

    @Override
    protected ReceivedDescriptors implReadWithDescriptors(MemorySegment bytes, int maxDescriptors)
            throws IOException {
        Received received = new Received(syscalls);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment control = arena.allocate(RightsMessages.space(maxDescriptors), 8);
            long done = 0;
            while (done < bytes.byteSize()) {
                MemorySegment message = message(new MemorySegment[] {bytes.asSlice(done)}, 0, 1, arena, false);
                msghdr.msg_control(message, control);
                msghdr.msg_controllen(message, control.byteSize());
                // MSG_CMSG_CLOEXEC: descriptors of this process are never inherited by a child (man 2 recvmsg).
                long n = call(message, socket_h.MSG_CMSG_CLOEXEC(), false);
                if (n == 0) {
                    throw new EOFException("the peer closed the connection after " + done + " of "
                            + bytes.byteSize() + " bytes that carry descriptors");
                }
                read.add(n);
                done += n;
                try {
                    received.add(RightsMessages.read(control, msghdr.msg_controllen(message)));
                } catch (RightsMessages.Malformed e) {
                    received.add(e.descriptors());
                    throw e;
                }
                boolean truncated = (msghdr.msg_flags(message) & socket_h.MSG_CTRUNC()) != 0;
                if (received.count() > maxDescriptors) {
                    throw new TooManyDescriptorsException(maxDescriptors, received.count(), truncated);
                }
                if (truncated) {
                    // The kernel also cuts the control message when it cannot install a descriptor here, with
                    // room left (scm_detach_fds in net/core/scm.c): this side's limit, not the peer's breach.
                    throw new IOException("the kernel dropped descriptors sent with these bytes although there was"
                            + " room for " + maxDescriptors + " (MSG_CTRUNC with " + received.count() + " received):"
                            + " this process may have reached its limit of open files (RLIMIT_NOFILE), or a"
                            + " security module refused one; every one received is closed");
                }
            }
            return received;
        } catch (IOException | RuntimeException | Error e) {
            received.close();
            throw e;
        }
    }

    /** The descriptors one {@link #implReadWithDescriptors} received, closed unless taken. */
    private static final class Received implements ReceivedDescriptors {
        private final Syscalls syscalls;
        private int[] fds = new int[0];
        private boolean closed;

        Received(Syscalls syscalls) {
            this.syscalls = syscalls;
        }

        void add(int[] more) {
            int[] all = java.util.Arrays.copyOf(fds, fds.length + more.length);
            System.arraycopy(more, 0, all, fds.length, more.length);
            fds = all;
        }

        @Override
        public synchronized int count() {
            return fds.length;
        }

        @Override
        public synchronized int take(int index) {
            java.util.Objects.checkIndex(index, fds.length);
            if (closed || fds[index] < 0) {
                throw new IllegalStateException("descriptor " + index + " was taken or closed already");
            }
            int fd = fds[index];
            fds[index] = -1;
            return fd;
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            for (int i = 0; i < fds.length; i++) {
                if (fds[i] >= 0) {
                    syscalls.close(fds[i]);
                    fds[i] = -1;
                }
            }
        }
    }

    /**
     * A {@code msghdr} over the segments: native ones as they are, up to the first heap segment; a heap segment
     * first goes through a staging buffer (copied in for a write).
     */
    private static MemorySegment message(MemorySegment[] iov, int offset, int length, Arena arena, boolean write) {
        int count = 0;
        while (count < length && count < socket_h.IOV_MAX() && iov[offset + count].isNative()) {
            count++;
        }
        MemorySegment message = msghdr.allocate(arena);
        if (count == 0) {
            MemorySegment heap = iov[offset];
            MemorySegment staging = arena.allocate(Math.min(heap.byteSize(), STAGING), 8);
            if (write) {
                staging.copyFrom(heap.asSlice(0, staging.byteSize()));
            }
            MemorySegment vector = iovec.allocate(arena);
            iovec.iov_base(vector, staging);
            iovec.iov_len(vector, staging.byteSize());
            msghdr.msg_iov(message, vector);
            msghdr.msg_iovlen(message, 1);
            return message;
        }
        MemorySegment vector = iovec.allocateArray(count, arena);
        for (int i = 0; i < count; i++) {
            MemorySegment element = iovec.asSlice(vector, i);
            iovec.iov_base(element, iov[offset + i]);
            iovec.iov_len(element, iov[offset + i].byteSize());
        }
        msghdr.msg_iov(message, vector);
        msghdr.msg_iovlen(message, count);
        return message;
    }

    /** After a read through the staging buffer, copies what arrived into the heap segment it stands for. */
    private static void unstage(MemorySegment[] iov, int offset, MemorySegment message, long n) {
        if (iov[offset].isNative()) {
            return;
        }
        MemorySegment staging = iovec.iov_base(msghdr.msg_iov(message)).reinterpret(n);
        iov[offset].asSlice(0, n).copyFrom(staging.asSlice(0, n));
    }

    /** One {@code sendmsg} or {@code recvmsg}, retried on {@code EINTR}. */
    private long call(MemorySegment message, int flags, boolean send) throws IOException {
        int fd = descriptor.acquire();
        try {
            while (true) {
                long n = send ? syscalls.sendmsg(fd, message, flags | socket_h.MSG_NOSIGNAL())
                        : syscalls.recvmsg(fd, message, flags);
                if (n >= 0) {
                    return n;
                }
                int errno = (int) -n;
                switch (Errors.kind(errno)) {
                    case RETRY -> {
                    }
                    case CLOSED -> throw new java.nio.channels.ClosedChannelException();
                    default -> throw errors.exception(send ? "sendmsg" : "recvmsg", errno,
                            "unix socket " + io.channel.SocketAddressText.of(remote.getPath().toString().isEmpty()
                                    ? local : remote));
                }
            }
        } finally {
            descriptor.release();
        }
    }

    @Override
    protected FlushResult implFlush() {
        return FlushResult.NOTHING_PENDING;
    }

    @Override
    protected void implShutdown(ShutdownDirection direction) throws IOException {
        int how = switch (direction) {
            case READ -> socket_h.SHUT_RD();
            case WRITE -> socket_h.SHUT_WR();
            case BOTH -> socket_h.SHUT_RDWR();
        };
        int fd = descriptor.acquire();
        try {
            int r = syscalls.shutdown(fd, how);
            if (r < 0 && -r != io.channel.linux.internal.gen.errno_h.ENOTCONN()) {
                throw errors.exception("shutdown", -r);
            }
        } finally {
            descriptor.release();
        }
    }

    @Override
    protected void implClose() throws IOException {
        UnixSockets.shutDownAndClose(syscalls, descriptor);
    }
}
