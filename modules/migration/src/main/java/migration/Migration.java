package migration;

import java.time.Duration;
import migration.session.Session;

/**
 * What both sides of a running migration offer: live statistics, cancel, waiting for the end, and a
 * {@link #close()} that cancels and waits. {@link MigrationSource} and {@link MigrationDestination} add what
 * only one side has. All methods are thread-safe.
 */
public abstract sealed class Migration implements AutoCloseable permits MigrationSource, MigrationDestination {

    private final Session session;

    Migration(Session session) {
        this.session = session;
    }

    /** {@return live statistics; cheap and thread-safe} */
    public MigrationStats stats() {
        return session.stats();
    }

    /**
     * {@return which side owns the memory now, as this side knows it} {@link Ownership#SOURCE} until the
     * switchover commits; see {@link Ownership} for what each value lets the caller do.
     */
    public Ownership ownership() {
        return session.stats().ownership();
    }

    /**
     * Cancels the migration: tells the peer, shuts the channels down so that every thread wakes, and returns at
     * once. Does nothing once the migration has ended or is already ending. Any thread may call it.
     */
    public void cancel() {
        session.cancel();
    }

    /**
     * Waits until the migration has ended and all its threads have stopped and channels are closed.
     *
     * @return the final statistics, when the migration completed
     * @throws MigrationException if it failed or was cancelled; {@link MigrationException#stats()} holds the
     *                            final statistics
     */
    public MigrationStats await() throws MigrationException {
        return session.awaitCompletion();
    }

    /**
     * Waits up to {@code timeout} for the migration to end.
     *
     * @param timeout how long to wait
     * @return whether it has ended (completed, failed or cancelled) and its threads have stopped
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean await(Duration timeout) throws InterruptedException {
        return session.awaitEnd(timeout);
    }

    /**
     * Cancels the migration if it is still running and waits until its threads have stopped and its channels
     * are closed. After this returns the caller may free the blocks' memory.
     */
    @Override
    public void close() {
        session.cancelAndAwaitEnd();
    }
}
