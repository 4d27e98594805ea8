package migration.session;

import migration.MigrationStatus;

/**
 * Why a migration ends other than completed. Each kind decides the public status and whether the peer must be
 * told (with ERROR, or CANCEL): a peer that ended the migration itself, or whose RESULT refused it, already knows.
 */
sealed interface Failure {

    /** {@return what happened and where, in words} */
    String message();

    /** {@return the underlying error, or {@code null}} */
    Throwable cause();

    /** {@return FAILED or CANCELLED} */
    default MigrationStatus status() {
        return MigrationStatus.FAILED;
    }

    /** {@return whether to tell the peer with ERROR or CANCEL (best effort)} */
    default boolean tellsPeer() {
        return true;
    }

    /**
     * This side cannot go on: an internal error, a hook that failed, memory that does not fit, a protocol
     * violation by the peer.
     *
     * @param message what and where
     * @param cause   the error, or {@code null}
     */
    record Local(String message, Throwable cause) implements Failure {
    }

    /**
     * A bounded wait ran out: setup, liveness, progress, a round's acknowledgement, the switchover.
     *
     * @param message which wait, how long, and for which peer
     */
    record Timeout(String message) implements Failure {
        @Override
        public Throwable cause() {
            return null;
        }
    }

    /**
     * A connection failed.
     *
     * @param message which connection and how
     * @param cause   the I/O error, or {@code null}
     */
    record Transport(String message, Throwable cause) implements Failure {
    }

    /**
     * The peer ended the migration: it said ERROR, its RESULT refused the migration, or it closed the main
     * channel early. It knows; nothing to tell.
     *
     * @param message what the peer said or did
     */
    record ByPeer(String message) implements Failure {
        @Override
        public Throwable cause() {
            return null;
        }

        @Override
        public boolean tellsPeer() {
            return false;
        }
    }

    /**
     * This side refused the migration and said so in its RESULT: the peer knows.
     *
     * @param message why
     */
    record Refused(String message) implements Failure {
        @Override
        public Throwable cause() {
            return null;
        }

        @Override
        public boolean tellsPeer() {
            return false;
        }
    }

    /**
     * The migration was cancelled, by this side's user or by the peer.
     *
     * @param message who cancelled, and why if they said
     * @param byPeer  whether the peer cancelled (then it is not told)
     */
    record Cancelled(String message, boolean byPeer) implements Failure {
        @Override
        public Throwable cause() {
            return null;
        }

        @Override
        public MigrationStatus status() {
            return MigrationStatus.CANCELLED;
        }

        @Override
        public boolean tellsPeer() {
            return !byPeer;
        }
    }
}
