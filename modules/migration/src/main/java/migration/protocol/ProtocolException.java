package migration.protocol;

import java.io.IOException;

/**
 * The peer broke the protocol: a field holds a value it must not. The message names the channel, the
 * packet and the field. Distinct from transport errors (a reset connection), which are plain
 * {@link IOException}s.
 */
public final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was received, where, and what was expected
     */
    public ProtocolException(String message) {
        super(message);
    }
}
