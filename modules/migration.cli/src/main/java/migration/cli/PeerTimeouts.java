package migration.cli;

import java.time.Duration;
import migration.MigrationParameters;
import migration.VerifyMode;
import picocli.CommandLine.Option;

/**
 * The peer timeouts and the verification of every command that runs a migration, as a picocli mixin: a
 * long-distance link or a slow TLS handshake can be given more than the library's defaults, a script less. Unset
 * options keep the defaults.
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

    @Option(names = "--round-timeout", paramLabel = "DURATION", converter = OptionConverters.Timeout.class,
            description = "Live source: how long the destination may take to acknowledge a round (every page of "
                    + "it in its memory) before the migration fails (default: 60s).")
    Duration round;

    @Option(names = "--switchover-timeout", paramLabel = "DURATION", converter = OptionConverters.Timeout.class,
            description = "Source: how long the destination may take to answer the last round before the "
                    + "migration fails and a live source resumes (this bounds the pause); destination: twice this "
                    + "is how long it waits for the source's commit (default: 30s).")
    Duration switchover;

    @Option(names = "--verify", paramLabel = "MODE", converter = OptionConverters.Verify.class,
            description = "What the destination checks: on (digests of the pages as sent and received), final "
                    + "(both sides read their final memory while the source is paused: proves dirty tracking "
                    + "too, at one read of the memory inside the downtime), off (default: on).")
    VerifyMode verify;

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
        if (round != null) {
            result = result.withRoundTimeout(round);
        }
        if (switchover != null) {
            result = result.withSwitchoverTimeout(switchover);
        }
        if (verify != null) {
            result = result.withVerification(verify);
        }
        return result;
    }
}
