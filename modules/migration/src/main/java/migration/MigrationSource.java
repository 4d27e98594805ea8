package migration;

import io.channel.spi.ChannelProvider;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import migration.session.SourceSession;

/**
 * The sending side of a migration: moves the given blocks to a {@link MigrationDestination} over one main
 * channel and {@link MigrationParameters#channels()} multifd channels.
 *
 * <pre>{@code
 * try (MigrationSource source = MigrationSource.start(address, List.of(block), MigrationParameters.defaults())) {
 *     MigrationStats stats = source.await();
 * }
 * }</pre>
 *
 * <p>The blocks' memory must stay valid and unchanged until {@link #await()} or {@link #close()} has
 * returned: zero-copy writes hand its pages to the kernel, and the final digests are computed over it.
 * The source only reads it. All methods are thread-safe.
 */
public final class MigrationSource implements AutoCloseable {

    private final SourceSession session;

    private MigrationSource(SourceSession session) {
        this.session = session;
    }

    /**
     * Checks the blocks and the zero-copy settings, chooses the channel provider, and starts migrating on
     * the migration's own threads. Nothing is sent before these checks pass.
     *
     * @param destination where the destination listens
     * @param blocks      the blocks to migrate, at least one, with distinct names
     * @param params      the parameters
     * @return the running migration
     * @throws MigrationException if zero-copy is required but cannot work (with QEMU's messages where they
     *                            fit: "Zero copy currently only available on Linux", ...), no channel provider
     *                            is usable, or the blocks are unfit
     */
    public static MigrationSource start(InetSocketAddress destination, List<RamBlock> blocks,
                                        MigrationParameters params) throws MigrationException {
        return new MigrationSource(SourceSession.start(destination, blocks, params, null));
    }

    /** Like {@link #start(InetSocketAddress, List, MigrationParameters)}, choosing among the given providers. */
    static MigrationSource start(InetSocketAddress destination, List<RamBlock> blocks, MigrationParameters params,
                                 List<ChannelProvider> candidates) throws MigrationException {
        return new MigrationSource(SourceSession.start(destination, blocks, params, candidates));
    }

    /** {@return the migration's id, sent on every channel} */
    public UUID migrationId() {
        return session.migrationId();
    }

    /** {@return live statistics; cheap and thread-safe} */
    public MigrationStats stats() {
        return session.stats();
    }

    /**
     * Cancels the migration: tells the destination, shuts the channels down so that every thread wakes, and
     * returns at once. Does nothing once the migration has ended or is already ending. Any thread may call it.
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
