package migration;

import io.channel.spi.ChannelProvider;
import java.net.SocketAddress;
import java.util.List;
import java.util.Objects;
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
 * <p>Started with {@link #start}, the blocks' memory must stay valid and unchanged until {@link #await()} or
 * {@link #close()} has returned: zero-copy writes hand its pages to the kernel, and the final digests are
 * computed over it. Started with {@link #startLive}, the application may go on writing it while it moves: a
 * dirty tracker per block finds the pages written since they were sent, later rounds send them again, and the
 * last round runs with the writers stopped through {@link SourceHooks#pause()}. Either way the memory must stay
 * valid (mapped) until then, and the source only reads it. All methods are thread-safe.
 */
public final class MigrationSource extends Migration {

    private final SourceSession session;

    private MigrationSource(SourceSession session) {
        super(session);
        this.session = session;
    }

    /**
     * Checks the blocks and the zero-copy settings, chooses the channel provider, and starts migrating on
     * the migration's own threads. Nothing is sent before these checks pass.
     *
     * @param destination where the destination listens: a host and port ({@link java.net.InetSocketAddress}), or on
     *                    this host a Unix domain socket ({@link java.net.UnixDomainSocketAddress}), whose
     *                    destination lets in only processes of its own user (or of the users it allows)
     * @param blocks      the blocks to migrate, at least one, with distinct names
     * @param params      the parameters
     * @return the running migration
     * @throws MigrationException if zero-copy is required but cannot work (with QEMU's messages where they
     *                            fit: "Zero copy currently only available on Linux", ...), no channel provider
     *                            is usable, or the blocks are unfit
     */
    public static MigrationSource start(SocketAddress destination, List<RamBlock> blocks,
                                        MigrationParameters params) throws MigrationException {
        return new MigrationSource(SourceSession.start(destination, blocks, params, null));
    }

    /** Like {@link #start(SocketAddress, List, MigrationParameters)}, choosing among the given providers. */
    static MigrationSource start(SocketAddress destination, List<RamBlock> blocks, MigrationParameters params,
                                 List<ChannelProvider> candidates) throws MigrationException {
        return new MigrationSource(SourceSession.start(destination, blocks, params, candidates));
    }

    /**
     * Starts a live migration: round 1 sends every page with a dirty tracker armed on every block (chosen per
     * block through {@link io.channel.memory.DirtyTrackers}, or as {@link LiveParameters#tracker()} names); every
     * later round sends the pages written since the previous round's sync. After each round the source measures
     * the bandwidth and the dirty-pages rate; once the expected downtime (dirty bytes left divided by the
     * bandwidth) is at most {@link LiveParameters#downtimeLimit()}, or after {@link #switchover()}, it calls
     * {@link SourceHooks#pause()}, syncs a last time, sends the last round and the digests of the blocks' final
     * contents. {@link MigrationStats#live()} tells the rounds, the trackers, the expected and the actual
     * downtime. If the migration fails or is cancelled after the pause, {@link SourceHooks#resume()} runs before
     * {@link #await()} returns.
     *
     * @param destination where the destination listens: a host and port ({@link java.net.InetSocketAddress}), or on
     *                    this host a Unix domain socket ({@link java.net.UnixDomainSocketAddress}), whose
     *                    destination lets in only processes of its own user (or of the users it allows)
     * @param blocks      the blocks to migrate, at least one, with distinct names
     * @param params      the parameters
     * @param live        the rounds' parameters
     * @param hooks       how to pause, resume and throttle the writers; see {@link SourceHooks} for which
     *                    thread calls them and when
     * @return the running migration
     * @throws MigrationException like {@link #start}, or if the named dirty tracker is unknown or unavailable
     */
    public static MigrationSource startLive(SocketAddress destination, List<RamBlock> blocks,
                                            MigrationParameters params, LiveParameters live, SourceHooks hooks)
            throws MigrationException {
        return startLive(destination, blocks, params, live, hooks, null);
    }

    /** Like {@link #startLive(SocketAddress, List, MigrationParameters, LiveParameters, SourceHooks)}, among
     * the given providers. */
    static MigrationSource startLive(SocketAddress destination, List<RamBlock> blocks,
                                     MigrationParameters params, LiveParameters live, SourceHooks hooks,
                                     List<ChannelProvider> candidates) throws MigrationException {
        Objects.requireNonNull(live, "live");
        Objects.requireNonNull(hooks, "hooks");
        return new MigrationSource(SourceSession.start(destination, blocks, params, candidates, live, hooks));
    }

    /**
     * Asks a live migration to switch over at the end of the round now running, whatever the expected
     * downtime: the pause hook runs, then the last round. Returns at once; any thread. Does nothing for a
     * migration started with {@link #start} (it has a single round) or one that has switched over already.
     */
    public void switchover() {
        session.switchover();
    }

    /**
     * Reports that the application wrote bytes of a block, for the next dirty sync of a live migration. Needed
     * only with the {@code application} tracker ({@link LiveParameters#withTracker}), which knows nothing else;
     * the other trackers add the reports to what they find (for example writes by another process to shared
     * memory, which the kernel tracker of this process does not see). Call it after the write; any thread.
     * Does nothing for a migration started with {@link #start}.
     *
     * @param block  the block's name
     * @param offset the first byte written, from the block's start
     * @param length the number of bytes written
     * @throws IllegalArgumentException  if no block has that name
     * @throws IndexOutOfBoundsException if the bytes are not all inside the block
     */
    public void markDirty(String block, long offset, long length) {
        session.markDirty(block, offset, length);
    }

    /** {@return the migration's id, sent on every channel} */
    public UUID migrationId() {
        return session.migrationId();
    }
}
