package migration.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import migration.MigrationParameters;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class PeerTimeoutsTest {

    private static MigrationParameters parse(String... args) {
        PeerTimeouts timeouts = new PeerTimeouts();
        new CommandLine(timeouts).parseArgs(args);
        return timeouts.applyTo(MigrationParameters.defaults());
    }

    @Test
    void unsetOptionsKeepTheLibraryDefaults() {
        assertThat(parse()).isEqualTo(MigrationParameters.defaults());
    }

    @Test
    void eachOptionSetsItsTimeout() {
        MigrationParameters params = parse("--setup-timeout", "30s", "--liveness-timeout", "2m",
                "--progress-timeout", "1500ms");

        assertThat(params.setupTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(params.livenessTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(params.progressTimeout()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void aZeroTimeoutIsAUsageError() {
        assertThatThrownBy(() -> parse("--liveness-timeout", "0s"))
                .isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--liveness-timeout")
                .hasMessageContaining("positive duration");
    }
}
