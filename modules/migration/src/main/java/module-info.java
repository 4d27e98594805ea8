/**
 * multifd memory migration: moves named RAM blocks from a {@link migration.MigrationSource} to a
 * {@link migration.MigrationDestination} over one main channel and N parallel multifd channels, writing
 * pages with zero-copy where the best {@link io.channel.spi.ChannelProvider} allows it and copying
 * elsewhere. The wire protocol is described in this module's {@code PROTOCOL.md}.
 *
 * <p>Package {@code migration} is the API, and {@code migration.json} the JSON writer its statistics documents
 * ({@link migration.MigrationStats#toJson()}) are written with, for tools that write documents of their own beside
 * them. The wire format ({@code migration.protocol}), the per-channel sender and receiver threads
 * ({@code migration.multifd}) and the source and destination control flow ({@code migration.session}) are
 * internal, and no module outside this one reads them.
 */
module migration {
    // Transitive: the statistics expose io.channel.ChannelStatistics.
    requires transitive io.channel;

    exports migration;
    exports migration.json;
}
