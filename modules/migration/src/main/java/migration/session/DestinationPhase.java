package migration.session;

import migration.MigrationStatus;

/**
 * The phases of a destination, in protocol order (see {@code PROTOCOL.md}, "Switchover and ownership"). The
 * destination owns the memory only in {@link #COMMITTED}; after a RESULT that said yes and before COMMIT, an
 * end that may have lost the COMMIT leaves ownership unknown.
 */
enum DestinationPhase implements Phase<DestinationPhase> {
    /** Listening; connections are identified as they come. */
    LISTENING,
    /** The source's main channel said HELLO; waiting for every multifd channel. */
    IDENTIFYING,
    /** ACCEPT is out: pages arrive, round after round. */
    RECEIVING,
    /** COMPLETE arrived: the last round is checked and the digests compared. */
    VERIFYING,
    /** RESULT is out with a yes: waiting for the source's COMMIT. */
    RESULT_SENT,
    /** COMMIT arrived: the destination owns the memory. */
    COMMITTED,
    /** Every thread stopped and every channel closed. */
    ENDED;

    @Override
    public boolean mayMoveTo(DestinationPhase next) {
        if (next == ENDED) {
            return this != ENDED;
        }
        return switch (this) {
            case LISTENING -> next == IDENTIFYING;
            case IDENTIFYING -> next == RECEIVING;
            case RECEIVING -> next == VERIFYING;
            case VERIFYING -> next == RESULT_SENT;
            case RESULT_SENT -> next == COMMITTED;
            case COMMITTED, ENDED -> false;
        };
    }

    @Override
    public MigrationStatus status() {
        return this == LISTENING || this == IDENTIFYING ? MigrationStatus.SETUP : MigrationStatus.ACTIVE;
    }
}
