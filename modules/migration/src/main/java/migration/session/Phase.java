package migration.session;

import migration.MigrationStatus;

/**
 * A step of one side's protocol, implemented by that side's phase enum ({@link SourcePhase},
 * {@link DestinationPhase}). The enum lists, for each phase, the phases that may follow it; {@link Phases} refuses
 * any other move, so that the order of the protocol is written in one place and checked at run time.
 *
 * @param <P> the side's phase enum
 */
interface Phase<P extends Enum<P> & Phase<P>> {

    /**
     * {@return whether a side in this phase may move to {@code next}}
     * @param next the phase asked for
     */
    boolean mayMoveTo(P next);

    /** {@return the public status of a migration in this phase while it has not ended} */
    MigrationStatus status();
}
