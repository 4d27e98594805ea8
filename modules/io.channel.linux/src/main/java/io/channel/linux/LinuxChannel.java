package io.channel.linux;

import io.channel.ChannelOptions;
import io.channel.ChannelStatistics;
import io.channel.Feature;
import io.channel.FlushResult;
import io.channel.IOChannel;
import io.channel.SocketAddressText;
import io.channel.NativeIOException;
import io.channel.ShutdownDirection;
import io.channel.linux.internal.Errors;
import io.channel.linux.internal.SocketDescriptor;
import io.channel.linux.internal.Syscalls;
import io.channel.linux.internal.gen.errno_h;
import io.channel.linux.internal.gen.msghdr;
import io.channel.linux.internal.gen.poll_h;
import io.channel.linux.internal.gen.pollfd;
import io.channel.linux.internal.gen.socket_h;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A TCP socket of the Linux provider: gathering {@code sendmsg} straight from the caller's native
 * segments, with {@code MSG_ZEROCOPY} when asked, and completions read from the socket error queue.
 *
 * <h2>Heap segments</h2>
 * A heap segment cannot go into an {@code iovec} (the array may move), so a write or read that starts with one
 * moves that segment alone with {@code send} or {@code recv}, bound critical so that the kernel copies to or
 * from the array where it is ({@link Syscalls#send}); one that starts with native segments gathers them up to
 * the first heap segment. No byte of a heap segment is copied through native memory
 * ({@link Feature#HEAP_IN_PLACE}). The critical calls always pass {@code MSG_DONTWAIT}: they must not block,
 * and this channel waits in {@code poll} as for every other call.
 *
 * <h2>Blocking on a non-blocking socket</h2>
 * The socket is opened {@code O_NONBLOCK}; the channel blocks in {@code poll} in slices of
 * {@value #POLL_SLICE_MILLIS} ms and checks between slices whether {@link #close()} or
 * {@link #shutdown(ShutdownDirection)} was called. That keeps every wait interruptible and bounded, and lets
 * one thread drain the error queue while another waits (a queued completion raises {@code POLLERR}, which
 * cannot be masked: {@code man 2 poll}; so a waiter that sees it drains the queue instead of spinning).
 *
 * <h2>Locks and descriptor lifetime</h2>
 * <ul>
 *   <li>{@code writeLock} serialises writers, so bytes of two writes never interleave, and guards the writes'
 *       {@link MessageScratch}; {@code readLock} serialises readers and guards the reads' one.</li>
 *   <li>{@code completionLock} guards {@link ZeroCopyCompletions} and the error queue. It is held only
 *       across non-blocking calls: one {@code sendmsg(MSG_ZEROCOPY)} and the bookkeeping of its id, or one
 *       drain of the error queue. So any thread may take it without risking a long wait.</li>
 *   <li>{@link SocketDescriptor} counts threads inside system calls; {@code close(2)} happens when the last
 *       one leaves, never under a thread that is about to use the number.</li>
 * </ul>
 */
final class LinuxChannel extends IOChannel {

    /** How long one {@code poll} waits before the channel checks for close or shutdown. */
    static final int POLL_SLICE_MILLIS = 100;
    /**
     * Control buffer for one error-queue message: IPv4 needs 48 bytes, IPv6 64 (CMSG_SPACE of
     * sock_extended_err plus the offender sockaddr_in6); too small a buffer loses the completion for good
     * (MSG_CTRUNC). 128 is safe.
     */
    static final long CONTROL_BYTES = 128;
    /**
     * QEMU's words when the kernel refuses to pin a zero-copy write ({@code io/channel-socket.c},
     * {@code qio_channel_socket_writev} on {@code ENOBUFS}), which start the message of a strict refusal.
     */
    static final String LOCKED_MEMORY_REFUSAL = "Process can't lock enough memory for using MSG_ZEROCOPY";
    /** When poll cannot wait (POLLHUP is level-triggered and unmaskable), wait this long between drains. */
    private static final long HANGUP_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /**
     * Flags of a write from a heap segment: MSG_NOSIGNAL as for every write, MSG_DONTWAIT because the call is
     * critical and must not block ({@link Syscalls#send}).
     */
    private static final int IN_PLACE_SEND = socket_h.MSG_NOSIGNAL() | socket_h.MSG_DONTWAIT();
    /** Flags of a read into a heap segment: MSG_DONTWAIT, the call is critical ({@link Syscalls#recv}). */
    private static final int IN_PLACE_RECEIVE = socket_h.MSG_DONTWAIT();

    private static final System.Logger LOG = System.getLogger("io.channel.linux");
    private static final AtomicBoolean FALLBACK_LOGGED = new AtomicBoolean();

    private final Syscalls syscalls;
    private final Errors errors;
    private final SocketDescriptor descriptor;
    private final ChannelOptions options;
    private final InetSocketAddress local;
    private final InetSocketAddress remote;
    private final String zeroCopyUnavailable;
    private final Set<Feature> features;
    private final Supplier<HostLimits> limits;

    private final ReentrantLock writeLock = new ReentrantLock();
    private final ReentrantLock readLock = new ReentrantLock();
    /** Guarded by {@link #writeLock}: the {@code msghdr} of writes from native segments, made at the first. */
    private MessageScratch writeScratch;
    /** Guarded by {@link #readLock}: the {@code msghdr} of reads into native segments, made at the first. */
    private MessageScratch readScratch;
    private final ReentrantLock completionLock = new ReentrantLock();
    /** Guarded by {@link #completionLock}. */
    private final ZeroCopyCompletions completions = new ZeroCopyCompletions();
    /** Guarded by {@link #completionLock}: the first failure read from the error queue, reported by flush. */
    private IOException completionFailure;

    private volatile boolean closing;
    private final AtomicInteger writeShutdowns = new AtomicInteger();
    private final LongAdder bytesWritten = new LongAdder();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder enobufsRetries = new LongAdder();
    /** Why zero-copy writes were copied, set at the first such write; {@code null} before. */
    private volatile String fallbackReason;

    /**
     * Wraps a connected socket.
     *
     * @param syscalls            the system calls
     * @param descriptor          the connected, non-blocking socket; owned by the channel from now on
     * @param options             the options it was opened with
     * @param local               its local address
     * @param remote              its peer's address
     * @param zeroCopyUnavailable why {@code SO_ZEROCOPY} is not on, or {@code null} if it is
     * @param limits              reads the host limits for messages about {@code ENOBUFS}
     */
    LinuxChannel(Syscalls syscalls, SocketDescriptor descriptor, ChannelOptions options, InetSocketAddress local,
                 InetSocketAddress remote, String zeroCopyUnavailable, Supplier<HostLimits> limits) {
        this.syscalls = Objects.requireNonNull(syscalls, "syscalls");
        this.errors = syscalls.errors();
        this.descriptor = Objects.requireNonNull(descriptor, "descriptor");
        this.options = Objects.requireNonNull(options, "options");
        this.local = local;
        this.remote = remote;
        this.zeroCopyUnavailable = zeroCopyUnavailable;
        this.features = zeroCopyUnavailable == null
                ? Set.copyOf(EnumSet.of(Feature.SHUTDOWN, Feature.HEAP_IN_PLACE, Feature.WRITE_ZERO_COPY))
                : Set.copyOf(EnumSet.of(Feature.SHUTDOWN, Feature.HEAP_IN_PLACE));
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    @Override
    public Set<Feature> features() {
        return features;
    }

    @Override
    public String providerName() {
        return LinuxChannelProvider.NAME;
    }

    @Override
    public String zeroCopyUnavailableReason() {
        return zeroCopyUnavailable;
    }

    @Override
    public String zeroCopyFallbackReason() {
        return fallbackReason;
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public ChannelStatistics statistics() {
        completionLock.lock();
        try {
            return new ChannelStatistics(bytesWritten.sum(), bytesRead.sum(), completions.sends(),
                    completions.completed(), completions.copied(), enobufsRetries.sum(), completions.fallbacks());
        } finally {
            completionLock.unlock();
        }
    }

    // --- writes --------------------------------------------------------------------------------------------

    @Override
    protected long implWritev(MemorySegment[] iov, int offset, int length, boolean zeroCopy) throws IOException {
        writeLock.lock();
        try {
            int fd = descriptor.acquire();
            try {
                ensureNotClosing();
                MemorySegment first = iov[offset];
                if (!first.isNative()) {
                    // Never zero-copy: IOChannel refuses ZERO_COPY with heap segments.
                    return writeRetrying(fd, "send",
                            () -> syscalls.send(fd, first, first.byteSize(), IN_PLACE_SEND));
                }
                if (writeScratch == null) {
                    writeScratch = new MessageScratch();
                }
                return send(fd, writeScratch.fill(iov, offset, MessageScratch.nativePrefix(iov, offset, length)),
                        zeroCopy);
            } finally {
                descriptor.release();
            }
        } finally {
            writeLock.unlock();
        }
    }

    private long send(int fd, MessageScratch message, boolean zeroCopy) throws IOException {
        return zeroCopy ? sendZeroCopy(fd, message) : sendCopying(fd, message.message());
    }

    private long sendCopying(int fd, MemorySegment message) throws IOException {
        // man 2 sendmsg: MSG_NOSIGNAL, no SIGPIPE when the peer is gone; EPIPE instead.
        int flags = socket_h.MSG_NOSIGNAL();
        return writeRetrying(fd, "sendmsg", () -> syscalls.sendmsg(fd, message, flags));
    }

    /**
     * Makes one copying write, retried on {@code EINTR} and after {@code poll} on {@code EAGAIN}.
     *
     * @param call    the function, for errors
     * @param attempt the call: bytes sent or {@code -errno}
     * @return bytes sent
     */
    private long writeRetrying(int fd, String call, LongSupplier attempt) throws IOException {
        while (true) {
            long n = attempt.getAsLong();
            if (n >= 0) {
                bytesWritten.add(n);
                return n;
            }
            int errno = (int) -n;
            switch (Errors.kind(errno)) {
                case RETRY -> { }
                case WOULD_BLOCK -> awaitWritable(fd);
                default -> throw writeFailure(call, errno);
            }
        }
    }

    private long sendZeroCopy(int fd, MessageScratch gather) throws IOException {
        MemorySegment message = gather.message();
        int flags = socket_h.MSG_NOSIGNAL() | socket_h.MSG_ZEROCOPY();
        long enobufsDeadline = 0;
        while (true) {
            long n;
            long completedAtSend;
            completionLock.lock();
            try {
                completedAtSend = completions.completed();
                n = syscalls.sendmsg(fd, message, flags);
                // Documentation/networking/msg_zerocopy.rst: every successful call consumes one id, a partial
                // one too; a call returning -1 consumes none.
                // IMPORTANT: counted under the same lock as the drain, so a completion is never seen before
                // its send.
                if (n > 0) {
                    completions.sent();
                }
            } finally {
                completionLock.unlock();
            }
            if (n >= 0) {
                bytesWritten.add(n);
                return n;
            }
            int errno = (int) -n;
            if (errno == errno_h.ENOBUFS()) {
                // ENOBUFS is not "socket full": RLIMIT_MEMLOCK or optmem_max refused to pin the pages. POLLOUT is
                // often set already, so waiting for it would spin; only a completion frees the charge.
                if (enobufsDeadline == 0) {
                    enobufsDeadline = System.nanoTime() + options.closeTimeout().toNanos();
                }
                if (outstanding() > 0 && awaitNewCompletion(fd, enobufsDeadline, completedAtSend)) {
                    enobufsRetries.increment();
                    continue;
                }
                // Nothing of ours in flight (or nothing completes): this size cannot be pinned at all.
                return sendRefusedZeroCopy(fd, gather, errno);
            }
            switch (Errors.kind(errno)) {
                case RETRY -> { }
                case WOULD_BLOCK -> awaitWritable(fd);
                default -> throw writeFailure("sendmsg(MSG_ZEROCOPY)", errno);
            }
        }
    }

    /**
     * A zero-copy write the kernel refused to pin even after the drain-and-retry: with
     * {@link ChannelOptions#strictZeroCopy()} it fails, with QEMU's words ({@code io/channel-socket.c} fails every
     * {@code ENOBUFS} of a zero-copy write so); otherwise it is sent by copying and counted.
     */
    private long sendRefusedZeroCopy(int fd, MessageScratch gather, int errno) throws IOException {
        long size = gather.bytes();
        HostLimits host = limits.get();
        String refusal = errors.strerror(errno) + " (ENOBUFS from sendmsg(MSG_ZEROCOPY) for a " + size
                + "-byte write with " + outstanding() + " of this channel's sends in flight). Limits: "
                + host.summary();
        if (options.strictZeroCopy()) {
            throw new NativeIOException("sendmsg(MSG_ZEROCOPY)", errno, LOCKED_MEMORY_REFUSAL + ": " + refusal
                    + ". Raise RLIMIT_MEMLOCK (ulimit -l, prlimit --memlock, or 'memlock' in"
                    + " /etc/security/limits.conf) or net.core.optmem_max (sysctl -w net.core.optmem_max=...), run"
                    + " with CAP_IPC_LOCK, or send smaller pieces; zero-copy is required (strict), so the write is not"
                    + " copied. Channel " + SocketAddressText.of(local) + " -> " + SocketAddressText.of(remote));
        }
        if (fallbackReason == null) {
            fallbackReason = "the kernel refused to pin zero-copy writes for lack of locked memory: " + refusal
                    + "; such writes are copied";
        }
        if (FALLBACK_LOGGED.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "sendmsg(MSG_ZEROCOPY) on " + SocketAddressText.of(local) + " -> "
                    + SocketAddressText.of(remote) + " failed with " + refusal + "; sending such writes by copying (counted as copyFallbacks; this is logged once)."
                    + " Raise RLIMIT_MEMLOCK (ulimit -l / prlimit --memlock / limits.conf memlock)"
                    + " or net.core.optmem_max (sysctl) to keep them zero-copy");
        }
        completionLock.lock();
        try {
            completions.fellBack();
        } finally {
            completionLock.unlock();
        }
        return sendCopying(fd, gather.message());
    }

    private IOException writeFailure(String call, int errno) {
        if (closing) {
            return closedWhile("writing", errors.exception(call, errno));
        }
        return errors.exception(call, errno, "writing to " + SocketAddressText.of(remote));
    }

    // --- reads ---------------------------------------------------------------------------------------------

    @Override
    protected long implReadv(MemorySegment[] iov, int offset, int length) throws IOException {
        readLock.lock();
        try {
            int fd = descriptor.acquire();
            try {
                MemorySegment first = iov[offset];
                if (!first.isNative()) {
                    long size = first.byteSize();
                    return size == 0 ? 0
                            : receive(fd, "recv", () -> syscalls.recv(fd, first, size, IN_PLACE_RECEIVE));
                }
                if (readScratch == null) {
                    readScratch = new MessageScratch();
                }
                MessageScratch gather = readScratch.fill(iov, offset,
                        MessageScratch.nativePrefix(iov, offset, length));
                MemorySegment message = gather.message();
                return gather.bytes() == 0 ? 0
                        : receive(fd, "recvmsg", () -> syscalls.recvmsg(fd, message, 0));
            } finally {
                descriptor.release();
            }
        } finally {
            readLock.unlock();
        }
    }

    /**
     * Makes one read, retried on {@code EINTR} and after {@code poll} while there is nothing to read.
     *
     * @param call    the function, for errors
     * @param attempt the call: bytes read, 0 at end of stream, or {@code -errno}
     * @return bytes read, or -1 at end of stream
     */
    private long receive(int fd, String call, LongSupplier attempt) throws IOException {
        while (true) {
            ensureNotClosing();
            long n = attempt.getAsLong();
            if (n > 0) {
                bytesRead.add(n);
                return n;
            }
            if (n == 0) {
                ensureNotClosing();
                return -1;
            }
            int errno = (int) -n;
            switch (Errors.kind(errno)) {
                case RETRY -> { }
                case WOULD_BLOCK -> awaitReadable(fd);
                default -> {
                    if (closing) {
                        throw closedWhile("reading", errors.exception(call, errno));
                    }
                    throw errors.exception(call, errno, "reading from " + SocketAddressText.of(remote));
                }
            }
        }
    }

    // --- flush and completions -----------------------------------------------------------------------------

    @Override
    protected FlushResult implFlush() throws IOException {
        int fd = descriptor.acquire();
        try {
            completionLock.lock();
            try {
                if (completionFailure != null) {
                    throw new IOException("a zero-copy completion failed earlier: " + completionFailure.getMessage(),
                            completionFailure);
                }
                if (!completions.pendingSinceFlush()) {
                    return FlushResult.NOTHING_PENDING;
                }
            } finally {
                completionLock.unlock();
            }
            awaitAllCompletions(fd, System.nanoTime() + options.closeTimeout().toNanos(), "flush",
                    writeShutdowns.get());
            completionLock.lock();
            try {
                return completions.finishFlush();
            } finally {
                completionLock.unlock();
            }
        } finally {
            descriptor.release();
        }
    }

    private long outstanding() {
        completionLock.lock();
        try {
            return completions.outstanding();
        } finally {
            completionLock.unlock();
        }
    }

    /**
     * Waits until every send so far has completed.
     *
     * @param shutdownGeneration the value of {@link #writeShutdowns} when the wait began, or -1 to ignore
     *                           shutdowns (close waits after its own shutdown)
     */
    private void awaitAllCompletions(int fd, long deadline, String what, int shutdownGeneration) throws IOException {
        while (true) {
            drainErrorQueue(fd);
            long outstanding = outstanding();
            if (outstanding == 0) {
                return;
            }
            if (shutdownGeneration >= 0) {
                if (closing) {
                    throw closedWhile(what + " (" + outstanding + " zero-copy sends outstanding)", null);
                }
                if (writeShutdowns.get() != shutdownGeneration) {
                    throw new IOException(what + " interrupted by shutdown() with " + outstanding
                            + " zero-copy sends outstanding");
                }
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new IOException(what + " timed out after " + options.closeTimeout().toMillis() + " ms: "
                        + outstanding + " zero-copy sends to " + SocketAddressText.of(remote) + " were not completed by the kernel (is the"
                        + " peer reading?)");
            }
            // Documentation/networking/msg_zerocopy.rst: recvmsg(MSG_ERRQUEUE) never blocks; poll reports POLLERR
            // (even with events 0, man 2 poll) when a completion is queued.
            int revents = pollOnce(fd, 0, sliceMillis(remaining));
            if ((revents & poll_h.POLLERR()) == 0 && (revents & (poll_h.POLLHUP() | poll_h.POLLNVAL())) != 0) {
                // POLLHUP stays raised after both directions are shut: poll cannot wait, so back off briefly.
                LockSupport.parkNanos(HANGUP_BACKOFF_NANOS);
            }
        }
    }

    /**
     * Waits, bounded, for at least one completion after the failed send (possibly one already drained by
     * another thread); false if none came before the deadline.
     */
    private boolean awaitNewCompletion(int fd, long deadline, long before) throws IOException {
        drainErrorQueue(fd);
        while (completedSoFar() == before) {
            ensureNotClosing();
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            int revents = pollOnce(fd, 0, sliceMillis(remaining));
            if (revents == 0) {
                continue;
            }
            drainErrorQueue(fd);
            if (completedSoFar() == before) {
                if ((revents & poll_h.POLLERR()) != 0) {
                    return true; // a socket error, not a completion: let the next sendmsg report it
                }
                LockSupport.parkNanos(HANGUP_BACKOFF_NANOS);
            }
        }
        return true;
    }

    private long completedSoFar() {
        completionLock.lock();
        try {
            return completions.completed();
        } finally {
            completionLock.unlock();
        }
    }

    /**
     * Reads every queued notification without blocking.
     *
     * @return the number of notifications read
     */
    private int drainErrorQueue(int fd) throws IOException {
        completionLock.lock();
        try (Arena arena = Arena.ofConfined()) {
            if (completions.outstanding() == 0) {
                return 0;
            }
            MemorySegment message = msghdr.allocate(arena);
            MemorySegment control = arena.allocate(CONTROL_BYTES, 8);
            int read = 0;
            while (true) {
                message.fill((byte) 0);
                msghdr.msg_control(message, control);
                msghdr.msg_controllen(message, CONTROL_BYTES);
                long n = syscalls.recvmsg(fd, message, socket_h.MSG_ERRQUEUE() | socket_h.MSG_DONTWAIT());
                if (n < 0) {
                    int errno = (int) -n;
                    switch (Errors.kind(errno)) {
                        case WOULD_BLOCK -> {
                            return read;
                        }
                        case RETRY -> {
                            continue;
                        }
                        default -> throw recordFailure(errors.exception("recvmsg(MSG_ERRQUEUE)", errno));
                    }
                }
                List<ZeroCopyNotification> notifications;
                try {
                    notifications = ErrorQueueMessages.parse(control, msghdr.msg_controllen(message),
                            msghdr.msg_flags(message), errors);
                    for (ZeroCopyNotification notification : notifications) {
                        completions.complete(notification.first(), notification.last(), notification.copied());
                    }
                } catch (IOException e) {
                    throw recordFailure(e);
                } catch (IllegalStateException e) {
                    throw recordFailure(new IOException(e.getMessage(), e));
                }
                read += notifications.size();
            }
        } finally {
            completionLock.unlock();
        }
    }

    /** Called with {@link #completionLock} held. */
    private IOException recordFailure(IOException failure) {
        if (completionFailure == null) {
            completionFailure = failure;
        }
        return failure;
    }

    // --- waiting -------------------------------------------------------------------------------------------

    private void awaitWritable(int fd) throws IOException {
        while (true) {
            ensureNotClosing();
            int revents = pollOnce(fd, poll_h.POLLOUT(), POLL_SLICE_MILLIS);
            if ((revents & (poll_h.POLLOUT() | poll_h.POLLHUP() | poll_h.POLLNVAL())) != 0) {
                return;
            }
            if ((revents & poll_h.POLLERR()) != 0 && drainQuietly(fd) == 0) {
                return; // a socket error: sendmsg reports it
            }
        }
    }

    private void awaitReadable(int fd) throws IOException {
        while (true) {
            ensureNotClosing();
            int revents = pollOnce(fd, poll_h.POLLIN(), POLL_SLICE_MILLIS);
            if ((revents & (poll_h.POLLIN() | poll_h.POLLHUP() | poll_h.POLLNVAL())) != 0) {
                return;
            }
            if ((revents & poll_h.POLLERR()) != 0 && drainQuietly(fd) == 0) {
                return; // a socket error: recvmsg reports it
            }
        }
    }

    /** Drains for a waiter that only wants POLLERR cleared; failures stay recorded for flush. */
    private int drainQuietly(int fd) {
        try {
            return drainErrorQueue(fd);
        } catch (IOException e) {
            return 0;
        }
    }

    private int pollOnce(int fd, int events, int timeoutMillis) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment poll = pollfd.allocate(arena);
            pollfd.fd(poll, fd);
            pollfd.events(poll, (short) events);
            pollfd.revents(poll, (short) 0);
            int r = syscalls.poll(poll, 1, timeoutMillis);
            if (r < 0) {
                if (Errors.kind(-r) == Errors.Kind.RETRY) {
                    return 0;
                }
                throw errors.exception("poll", -r);
            }
            return r == 0 ? 0 : Short.toUnsignedInt(pollfd.revents(poll));
        }
    }

    private static int sliceMillis(long remainingNanos) {
        return (int) Math.max(1, Math.min(POLL_SLICE_MILLIS, TimeUnit.NANOSECONDS.toMillis(remainingNanos)));
    }

    // --- shutdown and close --------------------------------------------------------------------------------

    @Override
    protected void implShutdown(ShutdownDirection direction) throws IOException {
        int fd = descriptor.acquire();
        try {
            int how = switch (direction) {
                case READ -> socket_h.SHUT_RD();
                case WRITE -> socket_h.SHUT_WR();
                case BOTH -> socket_h.SHUT_RDWR();
            };
            if (direction != ShutdownDirection.READ) {
                // A flush in progress gives up: nothing more will be written.
                writeShutdowns.incrementAndGet();
            }
            int r = syscalls.shutdown(fd, how);
            if (r < 0) {
                throw errors.exception("shutdown(" + direction + ")", -r, "on " + SocketAddressText.of(local) + " -> " + SocketAddressText.of(remote));
            }
        } finally {
            descriptor.release();
        }
    }

    /**
     * Stops writing, waits (bounded by {@link ChannelOptions#closeTimeout()}) for outstanding zero-copy
     * completions, then closes. The order matters ({@code Documentation/networking/msg_zerocopy.rst},
     * "Notifications": completions are queued on the socket's own error queue): after {@code close(2)} no
     * completion can ever be read, yet the kernel may still send from the caller's pages.
     */
    @Override
    protected void implClose() throws IOException {
        closing = true;
        IOException failure = null;
        int fd = descriptor.acquire();
        try {
            // SHUT_WR first: the writer (woken by it with EPIPE, or by the closing flag) stops, and the data already
            // queued still goes out, so its completions still come.
            int r = syscalls.shutdown(fd, socket_h.SHUT_WR());
            if (r < 0 && -r != errno_h.ENOTCONN()) {
                failure = errors.exception("shutdown(SHUT_WR)", -r);
            }
            if (outstanding() > 0) {
                try {
                    awaitAllCompletions(fd, System.nanoTime() + options.closeTimeout().toNanos(), "close", -1);
                } catch (IOException e) {
                    failure = new IOException("close() could not confirm every zero-copy send to " + SocketAddressText.of(remote)
                            + "; the kernel may still read memory of writes not yet completed: " + e.getMessage(), e);
                }
            }
            // SHUT_RDWR wakes a reader blocked in poll at once (man 2 shutdown); close(2) alone would not.
            syscalls.shutdown(fd, socket_h.SHUT_RDWR());
        } finally {
            descriptor.release();
            try {
                descriptor.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private void ensureNotClosing() throws ClosedChannelException {
        if (closing) {
            throw closedWhile("waiting", null);
        }
    }

    private AsynchronousCloseException closedWhile(String what, IOException cause) {
        AsynchronousCloseException closed = new AsynchronousCloseException();
        closed.initCause(cause != null ? cause
                : new IOException(what + " interrupted by close() of the channel to " + SocketAddressText.of(remote)));
        return closed;
    }
}
