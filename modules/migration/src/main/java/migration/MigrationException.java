package migration;

/**
 * Why a migration could not start, failed or was cancelled. The message names what and where: the channel,
 * the packet number and the field, for example
 * {@code "multifd channel 1, packet 17: offset 0x40000000 outside block 'ram0' (size 0x4000000)"}.
 */
public class MigrationException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Statistics are a snapshot of plain values; not serialized with the exception. */
    private final transient MigrationStats stats;

    /**
     * Creates an exception without statistics.
     *
     * @param message what went wrong and where
     */
    public MigrationException(String message) {
        this(message, null, null);
    }

    /**
     * Creates an exception without statistics.
     *
     * @param message what went wrong and where
     * @param cause   the underlying error, or {@code null}
     */
    public MigrationException(String message, Throwable cause) {
        this(message, null, cause);
    }

    /**
     * Creates an exception carrying the migration's final statistics.
     *
     * @param message what went wrong and where
     * @param stats   the statistics when the migration ended, or {@code null}
     * @param cause   the underlying error, or {@code null}
     */
    public MigrationException(String message, MigrationStats stats, Throwable cause) {
        super(message, cause);
        this.stats = stats;
    }

    /** {@return the statistics when the migration ended, or {@code null} if it never started} */
    public MigrationStats stats() {
        return stats;
    }
}
