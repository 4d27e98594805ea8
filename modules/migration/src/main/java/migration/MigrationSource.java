package migration;

import io.channel.spi.ChannelProvider;
import java.net.InetSocketAddress;
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
}
