/**
 * multifd memory migration: moves named RAM blocks from a {@link migration.MigrationSource} to a
 * {@link migration.MigrationDestination} over one main channel and N parallel multifd channels, writing
 * pages with zero-copy where the best {@link io.channel.spi.ChannelProvider} allows it and copying
 * elsewhere. The wire protocol is described in this module's {@code PROTOCOL.md}.
 *
 * <p>Only package {@code migration} is API. The wire format ({@code migration.protocol}), the per-channel
 * sender and receiver threads ({@code migration.multifd}) and the source and destination control flow
 * ({@code migration.session}) are internal.
 */
// The qualified exports name migration.cli, which is built after this module: javac's "module not found" is expected.
@SuppressWarnings("module")
module migration {
    // Transitive: the statistics expose io.channel.ChannelStatistics.
    requires transitive io.channel;

    exports migration;

    // The multifd tool (module migration.cli) writes its documents with the module's JSON writer, escapes terminal
    // text by the same rule as the peer's text (PeerText.unsafe), and its benchmark drives a destination session
    // directly to listen for several warm-up transfers at once. None of it is API.
    exports migration.json to migration.cli;
    exports migration.protocol to migration.cli;
    exports migration.session to migration.cli;
}
