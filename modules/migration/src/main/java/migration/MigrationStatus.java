package migration;

import java.util.Locale;

/** The life cycle of a migration, named as in QEMU's {@code query-migrate}. */
public enum MigrationStatus {
    /** Connecting the channels and exchanging the handshake. */
    SETUP,
    /** Pages are moving. */
    ACTIVE,
    /** Every page arrived and, if asked for, the destination verified the digests. */
    COMPLETED,
    /** Something went wrong; {@link MigrationStats#errorDescription()} says what. */
    FAILED,
    /** One side cancelled the migration. */
    CANCELLED;

    /** {@return whether the migration has ended in this status (completed, failed or cancelled)} */
    public boolean isFinal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }

    /** {@return the name used in JSON, as in QEMU: {@code setup}, {@code active}, {@code completed}, ...} */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
