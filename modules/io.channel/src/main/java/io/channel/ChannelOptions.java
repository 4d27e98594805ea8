package io.channel;

import java.time.Duration;
import java.util.Objects;

/**
 * Options for connecting, listening and accepting.
 *
 * @param zeroCopy          ask for {@link Feature#WRITE_ZERO_COPY} on connected channels (Linux:
 *                          {@code setsockopt(SO_ZEROCOPY)}); whether it was granted shows in
 *                          {@link IOChannel#features()}
 * @param strictZeroCopy    when the kernel refuses to pin a zero-copy write even after waiting for the
 *                          channel's own sends in flight to complete ({@code ENOBUFS}: {@code RLIMIT_MEMLOCK}
 *                          or {@code net.core.optmem_max}), fail with an {@link NativeIOException} whose
 *                          message starts with QEMU's "Process can't lock enough memory for using
 *                          MSG_ZEROCOPY" and names both limits, instead of sending that write by copying
 * @param sendBufferSize    {@code SO_SNDBUF} in bytes, or 0 for the system default
 * @param receiveBufferSize {@code SO_RCVBUF} in bytes, or 0 for the system default
 * @param backlog           listen backlog, at least 1
 * @param connectTimeout    how long a connect may take
 * @param closeTimeout      how long {@link IOChannel#close()} and {@link IOChannel#flush()} wait for the
 *                          kernel's completions before giving up with an error
 */
public record ChannelOptions(boolean zeroCopy, boolean strictZeroCopy, int sendBufferSize, int receiveBufferSize,
                             int backlog, Duration connectTimeout, Duration closeTimeout) {

    /**
     * Validates the options.
     *
     * @throws IllegalArgumentException if a size is negative, the backlog is below 1 or a timeout is not
     *                                  positive
     */
    public ChannelOptions {
        if (sendBufferSize < 0 || receiveBufferSize < 0) {
            throw new IllegalArgumentException("buffer sizes must be >= 0: sndbuf=" + sendBufferSize
                    + " rcvbuf=" + receiveBufferSize);
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be >= 1: " + backlog);
        }
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero() || closeTimeout.isNegative()
                || closeTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    /** {@return copying writes, system buffer sizes, backlog 64, 10 s connect and 30 s close timeouts} */
    public static ChannelOptions defaults() {
        return new ChannelOptions(false, false, 0, 0, 64, Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    /**
     * {@return a copy that asks for zero-copy writes or not}
     * @param value whether to ask for {@link Feature#WRITE_ZERO_COPY}
     */
    public ChannelOptions withZeroCopy(boolean value) {
        return new ChannelOptions(value, strictZeroCopy, sendBufferSize, receiveBufferSize, backlog, connectTimeout,
                closeTimeout);
    }

    /**
     * {@return a copy with strict zero-copy on or off}
     * @param value whether an unpinnable write fails instead of being copied
     */
    public ChannelOptions withStrictZeroCopy(boolean value) {
        return new ChannelOptions(zeroCopy, value, sendBufferSize, receiveBufferSize, backlog, connectTimeout,
                closeTimeout);
    }

    /**
     * {@return a copy with the given {@code SO_SNDBUF}}
     * @param bytes the size, 0 for the default
     */
    public ChannelOptions withSendBufferSize(int bytes) {
        return new ChannelOptions(zeroCopy, strictZeroCopy, bytes, receiveBufferSize, backlog, connectTimeout,
                closeTimeout);
    }

    /**
     * {@return a copy with the given {@code SO_RCVBUF}}
     * @param bytes the size, 0 for the default
     */
    public ChannelOptions withReceiveBufferSize(int bytes) {
        return new ChannelOptions(zeroCopy, strictZeroCopy, sendBufferSize, bytes, backlog, connectTimeout,
                closeTimeout);
    }

    /**
     * {@return a copy with the given close and flush timeout}
     * @param timeout how long to wait for completions
     */
    public ChannelOptions withCloseTimeout(Duration timeout) {
        return new ChannelOptions(zeroCopy, strictZeroCopy, sendBufferSize, receiveBufferSize, backlog,
                connectTimeout, timeout);
    }

    /**
     * {@return a copy with the given connect timeout}
     * @param timeout how long a connect may take
     */
    public ChannelOptions withConnectTimeout(Duration timeout) {
        return new ChannelOptions(zeroCopy, strictZeroCopy, sendBufferSize, receiveBufferSize, backlog, timeout,
                closeTimeout);
    }
}
