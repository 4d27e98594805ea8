package io.channel.linux.internal;

import io.channel.NativeIOException;
import io.channel.linux.internal.gen.errno_h;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The one place that decides what an {@code errno} means to the provider:
 * <ul>
 *   <li>{@code EAGAIN}/{@code EWOULDBLOCK}: "would block", the caller waits with {@code poll} and retries
 *       ({@link Kind#WOULD_BLOCK});</li>
 *   <li>{@code EINTR}: the call is simply retried ({@link Kind#RETRY});</li>
 *   <li>{@code EBADF}: the descriptor is closed, reported as {@link ClosedChannelException}
 *       ({@link Kind#CLOSED});</li>
 *   <li>anything else: a {@link NativeIOException} that keeps the errno and reads
 *       {@code "<call> failed: <strerror>"} ({@link Kind#FAILED}).</li>
 * </ul>
 * The errno values come from the generated {@code errno_h} ({@code errno.h}), never from literals.
 *
 * <p>One per {@link Syscalls} ({@link Syscalls#errors()}): it caches the {@code strerror} text of each errno it
 * has described, so a failure that repeats (a peer gone from many channels at once) costs no downcall.
 */
public final class Errors {

    /** What the caller should do about an errno. */
    public enum Kind {
        /** {@code EAGAIN}: the operation would block; wait for readiness and retry. */
        WOULD_BLOCK,
        /** {@code EINTR}: interrupted by a signal before anything happened; retry at once. */
        RETRY,
        /** {@code EBADF}: the descriptor was closed. */
        CLOSED,
        /** Any other error: fail with {@link NativeIOException}. */
        FAILED
    }

    /** errno values are small ({@code MAX_ERRNO} is 4095, {@code include/linux/err.h}); nothing larger is kept. */
    private static final int MAX_ERRNO = 4095;

    private final Syscalls syscalls;
    private final Map<Integer, String> texts = new ConcurrentHashMap<>();

    /**
     * Creates the mapping; a {@link Syscalls} implementation makes its one instance with this.
     *
     * @param syscalls where {@code strerror} comes from
     */
    public Errors(Syscalls syscalls) {
        this.syscalls = Objects.requireNonNull(syscalls, "syscalls");
    }

    /**
     * Classifies an errno.
     *
     * @param errno the positive error number
     * @return what to do about it
     */
    public static Kind kind(int errno) {
        // IMPORTANT: EWOULDBLOCK equals EAGAIN on Linux (asm-generic/errno.h); both are listed for clarity.
        if (errno == errno_h.EAGAIN() || errno == errno_h.EWOULDBLOCK()) {
            return Kind.WOULD_BLOCK;
        }
        if (errno == errno_h.EINTR()) {
            return Kind.RETRY;
        }
        if (errno == errno_h.EBADF()) {
            return Kind.CLOSED;
        }
        return Kind.FAILED;
    }

    /**
     * {@return the system's description of an errno, for example {@code "Connection refused"}}
     * @param errno the positive error number
     */
    public String strerror(int errno) {
        if (errno <= 0 || errno > MAX_ERRNO) {
            return syscalls.strerror(errno);
        }
        return texts.computeIfAbsent(errno, syscalls::strerror);
    }

    /**
     * Turns a failed call into the exception to throw.
     *
     * @param call  the call as written in C, for example {@code "sendmsg(MSG_ZEROCOPY)"}
     * @param errno the positive error number
     * @return a {@link ClosedChannelException} for {@code EBADF}, otherwise a {@link NativeIOException}
     *         reading {@code "<call> failed: <strerror>"}
     */
    public IOException exception(String call, int errno) {
        return exception(call, errno, null);
    }

    /**
     * Turns a failed call into the exception to throw, with context appended to the message.
     *
     * @param call    the call as written in C
     * @param errno   the positive error number
     * @param context what the call was about, for example {@code "connecting to 127.0.0.1:80"}, or
     *                {@code null}
     * @return a {@link ClosedChannelException} for {@code EBADF}, otherwise a {@link NativeIOException}
     *         reading {@code "<call> failed: <strerror> (<context>)"}
     */
    public IOException exception(String call, int errno, String context) {
        if (kind(errno) == Kind.CLOSED) {
            ClosedChannelException closed = new ClosedChannelException();
            closed.initCause(failure(call, errno, context));
            return closed;
        }
        return failure(call, errno, context);
    }

    private NativeIOException failure(String call, int errno, String context) {
        String message = call + " failed: " + strerror(errno) + (context == null ? "" : " (" + context + ")");
        return new NativeIOException(call, errno, message);
    }
}
