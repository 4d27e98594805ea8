package io.channel;

import java.io.IOException;

/**
 * An I/O error reported by a native call, keeping the call's name and the {@code errno} it set.
 * The message reads {@code "<call> failed: <strerror>"}, optionally followed by context.
 */
public class NativeIOException extends IOException {
    private static final long serialVersionUID = 1L;

    private final String call;
    private final int errno;

    /**
     * Creates an exception for a failed native call.
     *
     * @param call    the call, as written in C, for example {@code "sendmsg(MSG_ZEROCOPY)"}
     * @param errno   the {@code errno} value the call left
     * @param message the full message, normally {@code call + " failed: " + strerror(errno)}
     */
    public NativeIOException(String call, int errno, String message) {
        super(message);
        this.call = call;
        this.errno = errno;
    }

    /** {@return the native call that failed} */
    public String call() {
        return call;
    }

    /** {@return the {@code errno} value the call set} */
    public int errno() {
        return errno;
    }
}
