package migration;

import io.channel.spi.ChannelProvider;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
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
 * {@code setupTimeout} (counted from the moment the source's main channel identifies itself, and how long any
 * accepted connection may take to identify itself), {@code verify}, {@code livenessTimeout},
 * {@code progressTimeout} and {@code maxUnidentifiedConnections}. Connections that are not the migration's
 * (a port scanner, a health check, another migration's channel) are dropped and counted
 * ({@link MigrationStats#unidentifiedConnections()}), never failing it. All methods are thread-safe.
 *
 * <p>Fresh blocks ({@link RamBlock#anonymous}, {@link RamBlockProvider#anonymous}) and writable file mappings are
 * populated ahead of the receivers ({@code madvise(MADV_POPULATE_WRITE)} where the memory provider can), so that
 * the receivers do not take a page fault per page inside their copies. System property
 * {@value #PREFAULT_PROPERTY}{@code =false} turns that off for the destinations listened for from then on (for
 * measurements that compare both, such as the benchmark's {@code --prefault off}).
 */
public final class MigrationDestination extends Migration {

    /**
     * The system property that, set to {@code false}, stops destinations from populating their memory ahead of the
     * receivers; {@code true} or unset populates. It is read by each {@code listen}.
     */
    public static final String PREFAULT_PROPERTY = "migration.destination.prefault";

    private final DestinationSession session;

    private MigrationDestination(DestinationSession session) {
        super(session);
        this.session = session;
    }

    /**
     * Binds the listening socket now and accepts the source in the background.
     *
     * @param local  where to listen: a host and port (port 0 picks a free port, see {@link #localAddress()}), or on
     *               this host a Unix domain socket's path ({@link java.net.UnixDomainSocketAddress}), which must not
     *               exist; the socket's file is removed when the destination has its channels or ends. Over a Unix
     *               domain socket only processes of this process's user, or of a user in
     *               {@link MigrationParameters#allowedPeerUids()}, are let in
     * @param blocks supplies memory for each block the source announces
     * @param params the parameters
     * @return the listening destination
     * @throws MigrationException if no channel provider is usable, the address cannot be bound, or
     *                            {@value #PREFAULT_PROPERTY} is neither {@code true} nor {@code false}
     */
    public static MigrationDestination listen(SocketAddress local, RamBlockProvider blocks,
                                              MigrationParameters params) throws MigrationException {
        return listen(local, blocks, params, null);
    }

    /** Like {@link #listen(SocketAddress, RamBlockProvider, MigrationParameters)}, among the given providers. */
    static MigrationDestination listen(SocketAddress local, RamBlockProvider blocks, MigrationParameters params,
                                       List<ChannelProvider> candidates) throws MigrationException {
        return new MigrationDestination(DestinationSession.listen(local, blocks, RamBlock::knownZero, RamBlock::file,
                prefault(System.getProperty(PREFAULT_PROPERTY)), params, candidates));
    }

    /**
     * {@return whether to populate memory ahead of the receivers, as {@value #PREFAULT_PROPERTY} says}
     *
     * @param value the property's value, or {@code null} when it is not set
     * @throws MigrationException if the value is neither {@code true} nor {@code false}, naming it
     */
    static boolean prefault(String value) throws MigrationException {
        if (value == null || value.strip().equals("true")) {
            return true;
        }
        if (value.strip().equals("false")) {
            return false;
        }
        throw new MigrationException("system property " + PREFAULT_PROPERTY + " must be true or false, but is '"
                + value + "'");
    }

    /**
     * {@return the bound address, with the real port when port 0 was asked for; {@code null} for a Unix domain
     * socket (see {@link #localSocketAddress()})}
     */
    public InetSocketAddress localAddress() {
        return session.localAddress();
    }

    /** {@return the bound address, of any kind: a {@link java.net.UnixDomainSocketAddress} for a Unix domain socket} */
    public SocketAddress localSocketAddress() {
        return session.localSocketAddress();
    }

    /**
     * {@return the blocks received into, in the source's order} Complete once {@link #await()} returned
     * normally; empty before the source's handshake.
     */
    public List<RamBlock> blocks() {
        return session.blocks();
    }
}
