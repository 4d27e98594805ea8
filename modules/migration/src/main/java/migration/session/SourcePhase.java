package migration.session;

import migration.MigrationStatus;

/**
 * The phases of a source, in protocol order (see {@code PROTOCOL.md}, "Switchover and ownership"). Ownership of
 * the memory passes to the destination only in {@link #COMMITTED}: before it, whatever goes wrong, the source
 * may resume its application, since a destination activates only on COMMIT.
 */
enum SourcePhase implements Phase<SourcePhase> {
    /** Connecting the main channel and the multifd channels (and their TLS handshakes). */
    CONNECTING,
    /** HELLO and the init packets are out; waiting for ACCEPT. */
    HANDSHAKE,
    /** Sending rounds of pages while the application runs (one round when not live). */
    ROUNDS,
    /** The pause hook was called: the last round runs with the application stopped. */
    PAUSED,
    /** COMPLETE is out; waiting for the destination's RESULT. */
    COMPLETE_SENT,
    /** RESULT said yes and COMMIT was handed to the main channel whole: the destination owns the memory. */
    COMMITTED,
    /** Every thread stopped and every channel closed. */
    ENDED;

    @Override
    public boolean mayMoveTo(SourcePhase next) {
        if (next == ENDED) {
            return this != ENDED;
        }
        return switch (this) {
            case CONNECTING -> next == HANDSHAKE;
            case HANDSHAKE -> next == ROUNDS;
            // A migration that is not live has no pause: its single round ends with COMPLETE.
            case ROUNDS -> next == PAUSED || next == COMPLETE_SENT;
            case PAUSED -> next == COMPLETE_SENT;
            case COMPLETE_SENT -> next == COMMITTED;
            case COMMITTED, ENDED -> false;
        };
    }

    @Override
    public MigrationStatus status() {
        return this == CONNECTING || this == HANDSHAKE ? MigrationStatus.SETUP : MigrationStatus.ACTIVE;
    }
}
