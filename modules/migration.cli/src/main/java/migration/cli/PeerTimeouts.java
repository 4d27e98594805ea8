package migration.cli;

import java.time.Duration;
import migration.MigrationParameters;
import picocli.CommandLine.Option;

/**
 * The peer timeouts of every command that runs a migration, as a picocli mixin: a long-distance link or a slow TLS
 * handshake can be given more than the library's 10 s defaults, a script less. Unset options keep the defaults.
 */
final class PeerTimeouts {

    @Option(names = "--setup-timeout", paramLabel = "DURATION", converter = OptionConverters.Timeout.class,
            description = "How long the channels (and their TLS handshakes) may take to connect and identify "
                    + "themselves (default: 10s).")
    Duration setup;

    @Option(names = "--liveness-timeout", paramLabel = "DURATION", converter = OptionConverters.Timeout.class,
            description = "How long the peer may stay silent (no frame, no heartbeat) before the migration fails "
                    + "(default: 10s).")
    Duration liveness;

    @Option(names = "--progress-timeout", paramLabel = "DURATION", converter = OptionConverters.Timeout.class,
            description = "How long a channel may move no bytes before the migration fails, naming it "
                    + "(default: 10s).")
    Duration progress;

    /**
     * Applies the options given to parameters.
     *
     * @param params the parameters so far
     * @return {@code params} with every timeout the user gave
     */
    MigrationParameters applyTo(MigrationParameters params) {
        MigrationParameters result = params;
        if (setup != null) {
            result = result.withSetupTimeout(setup);
        }
        if (liveness != null) {
            result = result.withLivenessTimeout(liveness);
        }
        if (progress != null) {
            result = result.withProgressTimeout(progress);
        }
        return result;
    }
}
