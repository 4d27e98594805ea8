package migration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testkit.JsonReader;

/** {@code --provider} chooses the channel provider, instead of {@code JDK_JAVA_OPTIONS}. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProviderOptionTest {

    @Test
    void demoUsesTheProviderAskedFor() {
        Run run = Run.of("demo", "--size", "4m", "--provider", "copy");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("provider copy");
    }

    @Test
    void autoIsTheBestAvailableProvider() {
        Run run = Run.of("demo", "--size", "4m", "--provider", "AUTO");

        assertThat(run.exitCode()).as(run.err()).isZero();
    }

    @Test
    void anUnknownProviderIsAUsageErrorListingTheKnownOnes() {
        Run run = Run.of("demo", "--provider", "nosuch");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly("multifd demo: invalid --provider 'nosuch': expected auto or a "
                + "provider found here: copy (see 'multifd demo --help')");
    }

    @Test
    void infoSaysTheProviderWasAskedFor() {
        Run run = Run.of("info", "--json", "--provider", "copy");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(JsonReader.object(run.out())).containsEntry("chosen", "copy")
                .containsEntry("chosen-why", "asked for with --provider");
    }
}
