package migration.cli;

import java.io.Serial;

/**
 * A command could not do its work for a reason the user can act on; {@link FailureHandler} prints the message
 * as one line, without a stack trace, and exits with {@link #EXIT_CODE}.
 */
final class CommandFailure extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    /** The exit code of a failed migration or command. */
    static final int EXIT_CODE = 1;

    /**
     * Creates the failure.
     *
     * @param message the reason, in one line
     */
    CommandFailure(String message) {
        super(message);
    }

    /**
     * Creates the failure.
     *
     * @param message the reason, in one line
     * @param cause   what caused it
     */
    CommandFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
