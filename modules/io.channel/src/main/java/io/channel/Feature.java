package io.channel;

/**
 * Optional capabilities of an {@link IOChannel}, as reported by {@link IOChannel#features()}.
 */
public enum Feature {
    /** The channel accepts {@link WriteFlag#ZERO_COPY} writes (Linux: {@code SO_ZEROCOPY} was accepted). */
    WRITE_ZERO_COPY,
    /** The channel supports half-close through {@link IOChannel#shutdown(ShutdownDirection)}. */
    SHUTDOWN
}
