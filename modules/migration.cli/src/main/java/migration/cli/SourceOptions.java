package migration.cli;

import migration.MigrationParameters;
import migration.ZeroCopyMode;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options of every command that runs a migration source ({@code demo}, {@code send}), as a picocli mixin. */
final class SourceOptions {

    @Option(names = "--channels", paramLabel = "N", defaultValue = "2",
            converter = OptionConverters.Channels.class,
            description = "Parallel multifd channels, 1 to 255 (default: ${DEFAULT-VALUE}).")
    int channels;

    @Option(names = "--zero-copy", paramLabel = "MODE", defaultValue = "auto",
            converter = OptionConverters.ZeroCopy.class,
            description = "on (required, fail if impossible), auto (where it works; default) or off.")
    ZeroCopyMode zeroCopy;

    @Mixin
    ProviderOption provider;

    @Mixin
    PeerTimeouts timeouts;

    /** {@return the parameters these options ask for} */
    MigrationParameters parameters() {
        return timeouts.applyTo(MigrationParameters.defaults().withChannels(channels).withZeroCopy(zeroCopy)
                .withProvider(provider.name()));
    }

    /** {@return for example "2 channels, zero-copy auto"} */
    String describe() {
        return channels + " channel" + (channels == 1 ? "" : "s") + ", zero-copy " + zeroCopy.jsonName();
    }
}
