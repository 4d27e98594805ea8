package migration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UsageErrorsTest {

    @Test
    void anUnknownFlagExitsWithTwoAndOneLineNamingIt() {
        Run run = Run.of("demo", "--bogus");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).containsExactly(
                "multifd demo: unknown option: '--bogus' (see 'multifd demo --help')");
    }

    @Test
    void aMistypedFlagGetsASuggestion() {
        Run run = Run.of("demo", "--sise");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).singleElement().asString()
                .startsWith("multifd demo: unknown option: '--sise'; ")
                .contains("did you mean --size?");
    }

    @Test
    void aBadSizeExitsWithTwoAndOneLineNamingTheFlagAndTheValue() {
        Run run = Run.of("demo", "--size", "abc");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly("multifd demo: invalid --size 'abc': expected a positive size"
                + " such as 512m or 2g (see 'multifd demo --help')");
    }

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource(delimiter = '|', value = {
        "demo|--size=0|invalid --size '0': expected a positive size such as 512m or 2g",
        "demo|--size=-5m|invalid --size '-5m': expected a positive size such as 512m or 2g",
        "demo|--size=99999999t|invalid --size '99999999t': too large: at most 9223372036854775807 bytes",
        "demo|--channels=0|invalid --channels '0': expected a number of channels from 1 to 255",
        "demo|--channels=256|invalid --channels '256': expected a number of channels from 1 to 255",
        "demo|--zero-copy=maybe|invalid --zero-copy 'maybe': expected on, auto or off",
        "send|--max-bandwidth=fast|invalid --max-bandwidth 'fast': expected bytes per second such as 100m or 1g,"
                + " or 0 for unlimited",
        "send|--to=127.0.0.1|invalid --to '127.0.0.1': missing port; expected HOST:PORT such as 127.0.0.1:4444"
                + " or [::1]:4444",
        "send|--to=localhost:0|invalid --to 'localhost:0': port 0 is out of range; expected a port from 1 to 65535",
        "receive|--listen=::1:4444|invalid --listen '::1:4444': an IPv6 address needs brackets, as in [::1]:4444",
        "receive|--timeout=soon|invalid --timeout 'soon': expected a positive duration such as 30s, 5m or 500ms",
    })
    void badValuesExitWithTwoAndOneLineSayingWhatWasExpected(String command, String argument, String message) {
        Run run = Run.of(command, argument);

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly(
                "multifd " + command + ": " + message + " (see 'multifd " + command + " --help')");
    }

    @Test
    void aMissingRequiredOptionExitsWithTwoAndOneLine() {
        Run run = Run.of("send", "--from", "x");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).singleElement().asString()
                .startsWith("multifd send: missing required option")
                .contains("--to");
    }

    @Test
    void receiveNeedsEitherAFileOrASize() {
        Run run = Run.of("receive", "--listen", "127.0.0.1:0");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).singleElement().asString()
                .startsWith("multifd receive: missing required argument")
                .contains("--into", "--size");
    }

    @Test
    void receiveRefusesBothAFileAndASize() {
        Run run = Run.of("receive", "--listen", "127.0.0.1:0", "--into", "x", "--size", "4m");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).singleElement().asString().contains("mutually exclusive");
    }

    @Test
    void anUnresolvableHostIsAUsageError() {
        Run run = Run.of("send", "--to", "no-such-host.invalid:4444", "--from", "x");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).containsExactly("multifd send: invalid --to 'no-such-host.invalid:4444': cannot"
                + " resolve host 'no-such-host.invalid' (see 'multifd send --help')");
    }

    @Test
    void anUnknownCommandExitsWithTwo() {
        Run run = Run.of("teleport");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).singleElement().asString().startsWith("multifd: unmatched argument");
    }

    @Test
    void noCommandPrintsUsageOnStandardErrorAndExitsWithTwo() {
        Run run = Run.of();

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).startsWith("multifd: missing command").contains("Usage: multifd");
    }

    @ParameterizedTest(name = "multifd {0} --help")
    @ValueSource(strings = {"demo", "send", "receive", "info"})
    void everyCommandPrintsItsHelpOnStandardOutputAndExitsWithZero(String command) {
        Run run = Run.of(command, "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: multifd " + command);
        assertThat(run.err()).isEmpty();
    }
}
