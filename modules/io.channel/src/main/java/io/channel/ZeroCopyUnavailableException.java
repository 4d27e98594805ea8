package io.channel;

/**
 * Thrown when a {@link WriteFlag#ZERO_COPY} write is asked of a channel that lacks
 * {@link Feature#WRITE_ZERO_COPY}, or of memory that cannot be sent without a copy (heap segments).
 * The message says which and why.
 */
public class ZeroCopyUnavailableException extends UnsupportedOperationException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was asked and why it cannot be done
     */
    public ZeroCopyUnavailableException(String message) {
        super(message);
    }
}
