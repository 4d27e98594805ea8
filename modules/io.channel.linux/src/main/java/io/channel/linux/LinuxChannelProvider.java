package io.channel.linux;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.IOChannel;
import io.channel.SocketAddressText;
import io.channel.linux.internal.Errors;
import io.channel.linux.internal.SocketAddresses;
import io.channel.linux.internal.SocketDescriptor;
import io.channel.linux.internal.Sockets;
import io.channel.linux.internal.Syscalls;
import io.channel.linux.internal.gen.errno_h;
import io.channel.linux.internal.gen.poll_h;
import io.channel.linux.internal.gen.pollfd;
import io.channel.linux.internal.gen.socket_h;
import io.channel.spi.ChannelProvider;
import io.channel.spi.SupportedPlatform;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Linux channel provider, named {@value #NAME}: TCP sockets of its own through the FFM API, with
 * {@code SO_ZEROCOPY}, {@code sendmsg(MSG_ZEROCOPY)} straight from the caller's native segments, and
 * completions read from the socket error queue (see {@code Documentation/networking/msg_zerocopy.rst}).
 *
 * <p>It is available on Linux/x86_64 when the module has native access
 * ({@code --enable-native-access=io.channel.linux}) and the kernel accepts {@code SO_ZEROCOPY}; the cause is
 * computed once and kept otherwise. The system property {@code io.channel.linux.disabled=true} switches it
 * off, so that {@link io.channel.ChannelProviders} falls back to the copying provider.
 *
 * <p>Zero-copy sends are limited by {@code RLIMIT_MEMLOCK} and {@code net.core.optmem_max}; see
 * {@link #diagnostics()}. A zero-copy write the kernel refuses to pin even with nothing in flight is sent by
 * copying (counted in {@link io.channel.ChannelStatistics#copyFallbacks()}, logged once), or fails when
 * {@link ChannelOptions#strictZeroCopy()} is set.
 */
// IMPORTANT: the platforms Availability.platformCause accepts; selection instantiates nothing else.
@SupportedPlatform(os = "linux", arch = {"amd64", "x86_64"})
public final class LinuxChannelProvider implements ChannelProvider {

    /** The provider's name, for {@code -Dio.channel.provider=linux}. */
    public static final String NAME = "linux";
    /** Set this system property to {@code true} to switch the provider off. */
    public static final String DISABLED_PROPERTY = Availability.DISABLED_PROPERTY;

    /** Creates the provider; used by {@link java.util.ServiceLoader}. Does nothing native. */
    public LinuxChannelProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public boolean supportsZeroCopy() {
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code true} for a loopback or wildcard address and for an address of one of this host's interfaces (in
     * this network namespace): the kernel routes those through the loopback device, and a {@code MSG_ZEROCOPY}
     * send whose packets loop to a local socket always incurs a deferred copy
     * ({@code Documentation/networking/msg_zerocopy.rst}, "Loopback"; every completion then carries
     * {@code SO_EE_CODE_ZEROCOPY_COPIED}, {@code linux/errqueue.h}). A peer in another network namespace of the
     * same host (a veth pair) is copied too but cannot be told from a remote one here: there the first flush
     * finds out. Pure {@code java.net}: nothing native of this provider is touched.
     */
    @Override
    public boolean zeroCopyCopiesTo(InetSocketAddress destination) {
        InetAddress address = destination.getAddress();
        if (address == null) {
            return false;
        }
        if (address.isLoopbackAddress() || address.isAnyLocalAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(address) != null;
        } catch (SocketException e) {
            // The interfaces could not be listed: not known to be local, so the first flush decides.
            return false;
        }
    }

    @Override
    public boolean isAvailable() {
        return Availability.cause() == null;
    }

    @Override
    public Throwable unavailabilityCause() {
        return Availability.cause();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Keys: {@code available}, {@code rlimit-memlock}, {@code optmem-max}, {@code ipc-lock-exempt},
     * {@code max-zero-copy-send} (the largest single zero-copy send memlock allows,
     * {@code (floor(memlock/4096) - 2) * 4096} bytes) and {@code max-records-in-flight} (about
     * {@code optmem_max / 832}).
     */
    @Override
    public Map<String, String> diagnostics() {
        Throwable cause = unavailabilityCause();
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("available", cause == null ? "yes" : "no: " + cause.getMessage());
        facts.putAll(HostLimits.read(cause == null ? Syscalls.nativeSyscalls() : null).describe());
        return Collections.unmodifiableMap(facts);
    }

    /**
     * {@inheritDoc} A Unix domain socket is the provider's own ({@link UnixSockets}), which passes descriptors
     * ({@link io.channel.Feature#PASS_DESCRIPTORS}).
     */
    @Override
    public IOChannel connect(SocketAddress remote, ChannelOptions options) throws IOException {
        if (remote instanceof UnixDomainSocketAddress unix) {
            ensureAvailability();
            return UnixSockets.connect(Syscalls.nativeSyscalls(), unix, options);
        }
        return ChannelProvider.super.connect(remote, options);
    }

    /** {@inheritDoc} {@code true} for a Unix domain socket, where this provider is available. */
    @Override
    public boolean passesDescriptorsTo(SocketAddress destination) {
        return destination instanceof UnixDomainSocketAddress && isAvailable();
    }

    /** {@inheritDoc} A Unix domain socket is the provider's own ({@link UnixSockets}). */
    @Override
    public ChannelListener listen(SocketAddress local, ChannelOptions options) throws IOException {
        if (local instanceof UnixDomainSocketAddress unix) {
            ensureAvailability();
            ChannelListener listener = UnixSockets.listen(Syscalls.nativeSyscalls(), unix, options);
            // Whoever connects here is on this host and may hand memory over: rehearse that while waiting.
            HandoverRehearsal.startOnce();
            return listener;
        }
        return ChannelProvider.super.listen(local, options);
    }

    @Override
    public IOChannel connect(InetSocketAddress remote, ChannelOptions options) throws IOException {
        ensureAvailability();
        InetSocketAddress target = ChannelProvider.resolve(remote);
        Syscalls syscalls = Syscalls.nativeSyscalls();
        Sockets sockets = new Sockets(syscalls);
        Errors errors = syscalls.errors();
        String where = "connecting to " + SocketAddressText.of(target);
        int fd = syscalls.socket(SocketAddresses.family(target),
                socket_h.SOCK_STREAM() | socket_h.SOCK_CLOEXEC() | socket_h.SOCK_NONBLOCK(), 0);
        if (fd < 0) {
            throw errors.exception("socket", -fd, where);
        }
        try {
            // Buffer sizes before connect: SO_RCVBUF decides the window scale in the SYN (man 7 tcp).
            setBufferSizes(sockets, fd, options, where);
            connect(syscalls, errors, fd, target, options, where);
            int error = sockets.getInt(fd, socket_h.SOL_SOCKET(), socket_h.SO_ERROR(), "getsockopt(SO_ERROR)");
            if (error != 0) {
                throw errors.exception("connect", error, where);
            }
            return channel(syscalls, fd, options, target);
        } catch (IOException | RuntimeException | Error e) {
            syscalls.close(fd);
            throw e;
        }
    }

    private static void connect(Syscalls syscalls, Errors errors, int fd, InetSocketAddress target,
                                ChannelOptions options, String where) throws IOException {
        long deadline = System.nanoTime() + options.connectTimeout().toNanos();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = SocketAddresses.encode(target, arena);
            int r = syscalls.connect(fd, address, (int) address.byteSize());
            if (r == 0) {
                return;
            }
            // man 2 connect: a non-blocking socket answers EINPROGRESS; an interrupted connect goes on in the
            // background (EINTR), and either way completion shows as POLLOUT, its result in SO_ERROR.
            int errno = -r;
            if (errno != errno_h.EINPROGRESS() && Errors.kind(errno) != Errors.Kind.RETRY) {
                throw errors.exception("connect", errno, where);
            }
            MemorySegment poll = pollfd.allocate(arena);
            while (true) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    throw new SocketTimeoutException("connect to " + SocketAddressText.of(target) + " timed out after "
                            + options.connectTimeout().toMillis() + " ms");
                }
                pollfd.fd(poll, fd);
                pollfd.events(poll, (short) poll_h.POLLOUT());
                pollfd.revents(poll, (short) 0);
                int ready = syscalls.poll(poll, 1,
                        (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(remaining))));
                if (ready > 0) {
                    return;
                }
                if (ready < 0 && Errors.kind(-ready) != Errors.Kind.RETRY) {
                    throw errors.exception("poll", -ready, where);
                }
            }
        }
    }

    private static void setBufferSizes(Sockets sockets, int fd, ChannelOptions options, String where)
            throws IOException {
        try {
            if (options.sendBufferSize() > 0) {
                sockets.setInt(fd, socket_h.SOL_SOCKET(), socket_h.SO_SNDBUF(), options.sendBufferSize(),
                        "setsockopt(SO_SNDBUF)");
            }
            if (options.receiveBufferSize() > 0) {
                sockets.setInt(fd, socket_h.SOL_SOCKET(), socket_h.SO_RCVBUF(), options.receiveBufferSize(),
                        "setsockopt(SO_RCVBUF)");
            }
        } catch (IOException e) {
            throw new IOException(e.getMessage() + " (" + where + ")", e);
        }
    }

    /**
     * Wraps a connected socket (from connect or accept) in a channel: {@code TCP_NODELAY}, {@code SO_ZEROCOPY}
     * when asked (the channel has the feature only if the kernel agreed), addresses.
     *
     * @param remote the peer when known (connect), or {@code null} to ask the kernel
     */
    static LinuxChannel channel(Syscalls syscalls, int fd, ChannelOptions options, InetSocketAddress remote)
            throws IOException {
        Sockets sockets = new Sockets(syscalls);
        try {
            sockets.setInt(fd, socket_h.IPPROTO_TCP(), socket_h.TCP_NODELAY(), 1, "setsockopt(TCP_NODELAY)");
            if (remote == null && options.sendBufferSize() > 0) {
                sockets.setInt(fd, socket_h.SOL_SOCKET(), socket_h.SO_SNDBUF(), options.sendBufferSize(),
                        "setsockopt(SO_SNDBUF)");
            }
            String zeroCopyUnavailable;
            if (options.zeroCopy()) {
                int errno = sockets.trySetInt(fd, socket_h.SOL_SOCKET(), socket_h.SO_ZEROCOPY(), 1);
                zeroCopyUnavailable = errno == 0 ? null
                        : "setsockopt(SO_ZEROCOPY) failed: " + syscalls.errors().strerror(errno);
            } else {
                zeroCopyUnavailable = "zero-copy was not asked for when this channel was opened"
                        + " (ChannelOptions.zeroCopy() is false)";
            }
            InetSocketAddress local = sockets.localAddress(fd);
            InetSocketAddress peer = remote != null ? remote : sockets.remoteAddress(fd);
            return new LinuxChannel(syscalls, new SocketDescriptor(syscalls, fd), options, local, peer,
                    zeroCopyUnavailable, () -> HostLimits.read(syscalls));
        } catch (IOException | RuntimeException | Error e) {
            if (remote == null) {
                syscalls.close(fd); // accepted: nobody else owns it; connect closes its own on failure
            }
            throw e;
        }
    }

    @Override
    public ChannelListener listen(InetSocketAddress local, ChannelOptions options) throws IOException {
        return listen(local, options, Syscalls.nativeSyscalls());
    }

    /** {@link #listen(InetSocketAddress, ChannelOptions)} over the given system calls, for tests. */
    ChannelListener listen(InetSocketAddress local, ChannelOptions options, Syscalls syscalls) throws IOException {
        ensureAvailability();
        InetSocketAddress address = ChannelProvider.resolve(local);
        Sockets sockets = new Sockets(syscalls);
        Errors errors = syscalls.errors();
        String where = "listening on " + SocketAddressText.of(address);
        int fd = syscalls.socket(SocketAddresses.family(address),
                socket_h.SOCK_STREAM() | socket_h.SOCK_CLOEXEC() | socket_h.SOCK_NONBLOCK(), 0);
        if (fd < 0) {
            throw errors.exception("socket", -fd, where);
        }
        try {
            sockets.setInt(fd, socket_h.SOL_SOCKET(), socket_h.SO_REUSEADDR(), 1, "setsockopt(SO_REUSEADDR)");
            if (options.receiveBufferSize() > 0) {
                // Set on the listener so accepted sockets inherit it before their SYN-ACK (man 7 tcp).
                sockets.setInt(fd, socket_h.SOL_SOCKET(), socket_h.SO_RCVBUF(), options.receiveBufferSize(),
                        "setsockopt(SO_RCVBUF)");
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment sa = SocketAddresses.encode(address, arena);
                int r = syscalls.bind(fd, sa, (int) sa.byteSize());
                if (r < 0) {
                    throw errors.exception("bind", -r, where);
                }
            }
            int r = syscalls.listen(fd, options.backlog());
            if (r < 0) {
                throw errors.exception("listen", -r, where);
            }
            return new LinuxChannelListener(syscalls, new SocketDescriptor(syscalls, fd), options,
                    sockets.localAddress(fd));
        } catch (IOException | RuntimeException | Error e) {
            syscalls.close(fd);
            throw e;
        }
    }
}
