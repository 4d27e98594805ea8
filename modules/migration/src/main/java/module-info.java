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
module migration {
    // Transitive: the statistics expose io.channel.ChannelStatistics.
    requires transitive io.channel;

    // The multifd tool (package migration.cli, not exported): picocli reads its annotated commands reflectively.
    requires info.picocli;

    // multifd bench reports the JIT's compilation time inside each measured window.
    requires java.management;

    exports migration;

    opens migration.cli to info.picocli;
}
