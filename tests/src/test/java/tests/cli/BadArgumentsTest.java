package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import testkit.Tier;

/** Usage errors through the launcher: exit code 2 and one line on standard error, nothing on standard output. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@Tier.Image
class BadArgumentsTest {

    @ParameterizedTest(name = "multifd {0} {1}")
    @CsvSource(delimiter = '|', value = {
        "demo|--frobnicate|multifd demo: unknown option: '--frobnicate' (see 'multifd demo --help')",
        "demo|--size=abc|multifd demo: invalid --size 'abc': expected a positive size such as 512m or 2g"
                + " (see 'multifd demo --help')",
        "send|--to=127.0.0.1:http|multifd send: invalid --to '127.0.0.1:http': port 'http' is not a number;"
                + " expected a port from 1 to 65535 (see 'multifd send --help')",
        "receive|--listen=localhost|multifd receive: invalid --listen 'localhost': missing port; expected"
                + " HOST:PORT such as 127.0.0.1:4444 or [::1]:4444 (see 'multifd receive --help')",
    })
    void aBadArgumentExitsWithTwoAndOneLine(String command, String argument, String line) {
        Launcher.Result run = Launcher.run(command, argument);

        assertThat(run.exitCode()).as(run.describe()).isEqualTo(2);
        assertThat(run.out()).isEmpty();
        assertThat(run.errLines()).containsExactly(line);
    }
}
