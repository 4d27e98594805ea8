package migration;

import io.channel.spi.ChannelProvider;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import migration.session.DestinationSession;

/**
 * The receiving side of a migration: listens, accepts the source's main channel and multifd channels in
 * any order, and writes the pages into blocks from a {@link RamBlockProvider}.
 *
 * <pre>{@code
 * try (Arena arena = Arena.ofShared();
 *      MigrationDestination destination = MigrationDestination.listen(new InetSocketAddress(0),
 *              RamBlockProvider.anonymous(arena), MigrationParameters.defaults())) {
 *     System.out.println("listening on " + destination.localAddress());
 *     destination.await();
 * }
 * }</pre>
 *
 * <p>The destination takes the channel count from the source; of the parameters it uses {@code provider},
 * {@code setupTimeout} (counted from the first connection) and {@code verify}. All methods are thread-safe.
 */
public final class MigrationDestination implements AutoCloseable {

    private final DestinationSession session;

    private MigrationDestination(DestinationSession session) {
        this.session = session;
    }

    /**
     * Binds the listening socket now and accepts the source in the background.
     *
     * @param local  where to listen; port 0 picks a free port (see {@link #localAddress()})
     * @param blocks supplies memory for each block the source announces
     * @param params the parameters
     * @return the listening destination
     * @throws MigrationException if no channel provider is usable or the address cannot be bound
     */
    public static MigrationDestination listen(InetSocketAddress local, RamBlockProvider blocks,
                                              MigrationParameters params) throws MigrationException {
        return new MigrationDestination(DestinationSession.listen(local, blocks, RamBlock::knownZero, params, null));
    }

    /** Like {@link #listen(InetSocketAddress, RamBlockProvider, MigrationParameters)}, among the given providers. */
    static MigrationDestination listen(InetSocketAddress local, RamBlockProvider blocks, MigrationParameters params,
                                       List<ChannelProvider> candidates) throws MigrationException {
        return new MigrationDestination(DestinationSession.listen(local, blocks, RamBlock::knownZero, params,
                candidates));
    }

    /** {@return the bound address, with the real port when port 0 was asked for} */
    public InetSocketAddress localAddress() {
        return session.localAddress();
    }

    /** {@return live statistics; cheap and thread-safe} */
    public MigrationStats stats() {
        return session.stats();
    }

    /**
     * {@return the blocks received into, in the source's order} Complete once {@link #await()} returned
     * normally; empty before the source's handshake.
     */
    public List<RamBlock> blocks() {
        return session.blocks();
    }

    /**
     * Cancels the migration: tells the source, shuts the channels down, and returns at once. Does nothing once
     * the migration has ended or is already ending. Any thread may call it.
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
     * @return whether it has ended and its threads have stopped
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean await(Duration timeout) throws InterruptedException {
        return session.awaitEnd(timeout);
    }

    /** Cancels the migration if it is still running and waits until its threads have stopped. */
    @Override
    public void close() {
        session.cancelAndAwaitEnd();
    }
}
