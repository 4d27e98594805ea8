package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testkit.Tier;

/**
 * The launcher's choice of JIT compilers: C1 alone for a plain run of the tool; both compilers where a TLS option is
 * given (the JDK's AES-GCM intrinsics are C2's), with C2 kept to the JDK's cipher code by the image's compiler
 * directives and the JVM's console silenced (it would announce the directives); and the user's own JIT or print
 * options over either. What the JVM was started with is read from its own log ({@code -Xlog:arguments}), which
 * goes to standard output whatever the console does.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@Tier.Image
class JitChoiceTest {

    /** A TLS option and a --size the demo refuses at once: the JVM starts as for a TLS run and exits. */
    private static final List<String> TLS_RUN = List.of("demo", "--tls", "--size", "1x");

    @Test
    void aPlainRunOfTheToolCompilesWithC1Alone() {
        List<String> jvm = jvmArguments(List.of("--version"), "");
        assertThat(jvm).contains("-XX:TieredStopAtLevel=1").noneMatch(a -> a.startsWith("-XX:CompilerDirectivesFile"));
    }

    @Test
    void aRunWithAnyTlsOptionKeepsC2ForTheCipher() {
        assertThat(jvmArguments(List.of("info", "--tls-ca", "/nonexistent/ca.pem"), ""))
                .noneMatch(a -> a.startsWith("-XX:TieredStopAtLevel"));
        assertThat(jvmArguments(TLS_RUN, "")).noneMatch(a -> a.startsWith("-XX:TieredStopAtLevel"));
    }

    @Test
    void aRunWithAnyTlsOptionLetsC2CompileOnlyTheCipherCode() {
        assertThat(jvmArguments(TLS_RUN, "")).contains("-XX:-DisplayVMOutput")
                .anyMatch(a -> a.startsWith("-XX:CompilerDirectivesFile=") && a.endsWith("/lib/tls-jit.json"));
    }

    @Test
    void underTlsC2CompilesNothingButTheJdksCipherCode() {
        // A TLS migration of 32 MiB in one process: enough records for C2 to compile the cipher's hot methods.
        Launcher.Result run = Launcher.start(Launcher.multifd("demo", "--tls", "--size", "32m"),
                Map.of("JDK_JAVA_OPTIONS", "-Xlog:jit+compilation=debug")).result();
        assertThat(run.exitCode()).as(run.describe()).isZero();
        Pattern compiled = Pattern.compile("\\[jit,compilation]\\s+\\d+\\s+[%sbn!]*\\s*(\\d)\\s+(\\S+)::");
        List<String> byC2 = run.out().lines().map(compiled::matcher).filter(Matcher::find)
                .filter(m -> m.group(1).equals("4")).map(m -> m.group(2)).toList();
        assertThat(byC2).as(run.describe()).isNotEmpty().allMatch(c -> c.startsWith("com.sun.crypto.provider."));
    }

    @Test
    void theJvmsConsoleSaysNothingUnderTls() {
        Launcher.Result run = Launcher.run(TLS_RUN.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(2);
        assertThat(run.out()).as(run.describe()).isEmpty();
        assertThat(run.errLines()).as(run.describe()).singleElement().asString().startsWith("multifd demo:");
    }

    @Test
    void jitOptionsOfTheUsersOwnReplaceTheLaunchersChoice() {
        assertThat(jvmArguments(List.of("--version"), "-XX:TieredStopAtLevel=3"))
                .doesNotContain("-XX:TieredStopAtLevel=1");
        assertThat(jvmArguments(TLS_RUN, "-XX:CompileCommand=quiet"))
                .noneMatch(a -> a.startsWith("-XX:CompilerDirectivesFile")).doesNotContain("-XX:-DisplayVMOutput");
    }

    @Test
    void printOptionsOfTheUsersOwnKeepTheJvmsConsoleUnderTls() {
        assertThat(jvmArguments(TLS_RUN, "-XX:+PrintCommandLineFlags"))
                .noneMatch(a -> a.startsWith("-XX:CompilerDirectivesFile")).doesNotContain("-XX:-DisplayVMOutput");
        assertThat(jvmArguments(List.of("--version"), "-XX:+PrintCommandLineFlags"))
                .contains("-XX:TieredStopAtLevel=1");
    }

    /** {@return the JVM options of the JVM the launcher started for these arguments, from its own log} */
    private static List<String> jvmArguments(List<String> arguments, String options) {
        // The log is written before main runs, so a run that then fails (a missing file) still shows it.
        Launcher.Result run = Launcher.start(Launcher.multifd(arguments.toArray(String[]::new)),
                Map.of("JDK_JAVA_OPTIONS", "-Xlog:arguments " + options)).result();
        List<String> lines = run.out().lines().filter(l -> l.contains("jvm_args:")).toList();
        assertThat(lines).as(run.describe()).hasSize(1);
        return Arrays.asList(lines.get(0).replaceFirst("^.*jvm_args:\\s*", "").strip().split("\\s+"));
    }
}
