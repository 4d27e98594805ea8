package io.channel.linux.internal;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A file descriptor shared by threads, closed only when no thread is inside a system call on it.
 *
 * <p>Closing a descriptor while another thread is about to use it lets the kernel hand the same number to
 * the next {@code socket()} or {@code open()}, and the late call then acts on a stranger's file. So every
 * call on the descriptor happens between {@link #acquire()} and {@link #release()}; {@link #close()} marks
 * the descriptor closed (later {@code acquire()} calls fail) and the last user out calls {@code close(2)}.
 *
 * <p>The state is one {@code int}: bit 0 is "closed", the rest counts users.
 */
public final class SocketDescriptor {

    private static final System.Logger LOG = System.getLogger("io.channel.linux");
    private static final int CLOSED = 1;
    private static final int USER = 2;

    private final Syscalls syscalls;
    private final Errors errors;
    private final int fd;
    private final AtomicInteger state = new AtomicInteger();

    /**
     * Takes ownership of an open descriptor.
     *
     * @param syscalls the system calls, for {@code close(2)}
     * @param fd       the descriptor
     */
    public SocketDescriptor(Syscalls syscalls, int fd) {
        this.syscalls = syscalls;
        this.errors = syscalls.errors();
        this.fd = fd;
    }

    /**
     * Registers the calling thread as a user of the descriptor.
     *
     * @return the descriptor number, valid until {@link #release()}
     * @throws ClosedChannelException if {@link #close()} was called
     */
    public int acquire() throws ClosedChannelException {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                throw new ClosedChannelException();
            }
            if (state.compareAndSet(s, s + USER)) {
                return fd;
            }
        }
    }

    /** Ends a use started by {@link #acquire()}; the last user after {@link #close()} closes the descriptor. */
    public void release() {
        int s = state.addAndGet(-USER);
        if (s == CLOSED) {
            int r = syscalls.close(fd);
            if (r < 0) {
                LOG.log(System.Logger.Level.DEBUG, "close(" + fd + ") failed: " + errors.strerror(-r));
            }
        }
    }

    /** {@return whether {@link #close()} was called} */
    public boolean isClosed() {
        return (state.get() & CLOSED) != 0;
    }

    /** {@return the descriptor number, for messages only} */
    public int number() {
        return fd;
    }

    /**
     * Marks the descriptor closed and closes it now if no thread uses it, else when the last one leaves.
     * Later calls do nothing.
     *
     * @throws IOException if {@code close(2)} ran here and failed
     */
    public void close() throws IOException {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                return;
            }
            if (state.compareAndSet(s, s | CLOSED)) {
                if (s == 0) {
                    // man 2 close: never retry close() on EINTR on Linux; the descriptor is released anyway.
                    int r = syscalls.close(fd);
                    if (r < 0 && Errors.kind(-r) != Errors.Kind.RETRY) {
                        throw errors.exception("close", -r);
                    }
                }
                return;
            }
        }
    }
}
