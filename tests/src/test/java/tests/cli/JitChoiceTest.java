package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The launcher's choice of JIT compilers: C1 alone for a plain run of the tool, both compilers where a TLS option
 * is given (the JDK's AES-GCM intrinsics are C2's), and the user's own JIT options over either.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class JitChoiceTest {

    @Test
    void aPlainRunOfTheToolCompilesWithC1Alone() {
        assertThat(tieredStopAtLevel(List.of("--version"), "")).isEqualTo("1 {command line}");
    }

    @Test
    void aRunWithAnyTlsOptionKeepsC2ForTheCipher() {
        assertThat(tieredStopAtLevel(List.of("info", "--tls-ca", "/nonexistent/ca.pem"), ""))
                .isEqualTo("4 {default}");
        assertThat(tieredStopAtLevel(List.of("demo", "--tls", "--size", "1x"), "")).isEqualTo("4 {default}");
    }

    @Test
    void jitOptionsOfTheUsersOwnReplaceTheLaunchersChoice() {
        assertThat(tieredStopAtLevel(List.of("--version"), "-XX:TieredStopAtLevel=3")).isEqualTo("3 {command line}");
        assertThat(tieredStopAtLevel(List.of("--version"), "-XX:-TieredCompilation")).isEqualTo("4 {default}");
    }

    /** {@return the value and origin of TieredStopAtLevel in the JVM the launcher started for these arguments} */
    private static String tieredStopAtLevel(List<String> arguments, String options) {
        // PrintFlagsFinal writes before main runs, so a run that then fails (a missing file) still shows it.
        Launcher.Result run = Launcher.start(Launcher.multifd(arguments.toArray(String[]::new)),
                Map.of("JDK_JAVA_OPTIONS", "-XX:+PrintFlagsFinal " + options)).result();
        List<String> lines = run.out().lines().filter(l -> l.contains(" TieredStopAtLevel ")).toList();
        assertThat(lines).as(run.describe()).hasSize(1);
        return lines.get(0).replaceFirst("^.*TieredStopAtLevel\\s+=\\s+", "").replaceFirst("\\s+\\{product}\\s+", " ")
                .strip();
    }
}
