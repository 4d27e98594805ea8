package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import testkit.JsonReader;
import testkit.Tier;

/**
 * The launcher's JIT policy, one rule for every run: the image's compiler directives let C2 compile only the JDK's
 * cipher code (the JDK's AES-GCM intrinsics are C2's) and C1 everything else, with the JVM's console silenced (it
 * would announce the directives); {@code MULTIFD_JIT_OPTIONS}, when set, replaces that. What the JVM was started
 * with is read from its own log ({@code -Xlog:arguments}), which goes to standard output whatever the console does.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@Tier.Image
class JitChoiceTest {

    /** A TLS option and a --size the demo refuses at once: the JVM starts as for a TLS run and exits. */
    private static final List<String> TLS_RUN = List.of("demo", "--tls", "--size", "1x");

    /** The same refused demo without TLS. */
    private static final List<String> PLAIN_RUN = List.of("demo", "--size", "1x");

    private static final Pattern C2_COMPILATION =
            Pattern.compile("\\[jit,compilation]\\s+\\d+\\s+[%sbn!]*\\s*4\\s+(\\S+)::");

    @Test
    void everyRunLoadsTheDirectivesThatKeepC2ToTheCipher() {
        assertThat(jvmArguments(List.of("--version"), Map.of())).contains("-XX:-DisplayVMOutput")
                .anyMatch(a -> a.startsWith("-XX:CompilerDirectivesFile=") && a.endsWith("/lib/tls-jit.json"))
                .noneMatch(a -> a.startsWith("-XX:TieredStopAtLevel"));
    }

    @Test
    void theLauncherStartsTheJvmAlikeWhateverTheToolsArguments() {
        assertThat(jvmArguments(TLS_RUN, Map.of())).isEqualTo(jvmArguments(PLAIN_RUN, Map.of()))
                .isEqualTo(jvmArguments(List.of("info", "--tls-ca", "/nonexistent/ca.pem"), Map.of()));
    }

    @Test
    void underTlsC2CompilesNothingButTheJdksCipherCode() {
        // A TLS migration of 32 MiB in one process: enough records for C2 to compile the cipher's hot methods.
        List<String> byC2 = compiledByC2("demo", "--tls", "--size", "32m");
        assertThat(byC2).isNotEmpty().allMatch(c -> c.startsWith("com.sun.crypto.provider."));
    }

    @Test
    void withoutTlsC2CompilesNothing() {
        // The demo's fill and a migration of 256 MiB: both compilers would compile their loops with C2.
        assertThat(compiledByC2("demo", "--size", "256m")).isEmpty();
        assertThat(compiledByC2(Map.of("MULTIFD_JIT_OPTIONS", ""), "demo", "--size", "256m")).isNotEmpty();
    }

    @Test
    void theJvmsConsoleSaysNothing() {
        for (List<String> arguments : List.of(TLS_RUN, PLAIN_RUN)) {
            Launcher.Result run = Launcher.run(arguments.toArray(String[]::new));
            assertThat(run.exitCode()).as(run.describe()).isEqualTo(2);
            assertThat(run.out()).as(run.describe()).isEmpty();
            assertThat(run.errLines()).as(run.describe()).singleElement().asString().startsWith("multifd demo:");
        }
    }

    @Test
    void multifdJitOptionsReplaceTheLaunchersChoice() {
        assertThat(jvmArguments(TLS_RUN, Map.of("MULTIFD_JIT_OPTIONS", "-XX:TieredStopAtLevel=1")))
                .contains("-XX:TieredStopAtLevel=1").doesNotContain("-XX:-DisplayVMOutput")
                .noneMatch(a -> a.startsWith("-XX:CompilerDirectivesFile"));
    }

    @Test
    void anEmptyMultifdJitOptionsGivesTheJvmsDefaultJitAndConsole() {
        List<String> jvm = jvmArguments(List.of("--version"), Map.of("MULTIFD_JIT_OPTIONS", ""));
        assertThat(jvm).doesNotContain("-XX:-DisplayVMOutput", "-XX:+UnlockDiagnosticVMOptions")
                .noneMatch(a -> a.startsWith("-XX:CompilerDirectivesFile") || a.startsWith("-XX:Tiered"));
    }

    @Test
    void multifdJitOptionsAreSplitAtWhiteSpaceButNeverExpandedAsFilePatterns(@TempDir Path directory)
            throws IOException {
        // A file the pattern matches, in the launcher's working directory: a shell that expanded it would pass it.
        Files.createFile(directory.resolve("-XX:CompileCommand=exclude,a.nothing"));
        List<String> jvm = jvmArguments(List.of("--version"), Map.of("MULTIFD_JIT_OPTIONS",
                "-XX:CompileCommand=quiet  -XX:CompileCommand=exclude,*.nothing"), directory);
        assertThat(jvm).containsSubsequence("-XX:CompileCommand=quiet", "-XX:CompileCommand=exclude,*.nothing");
    }

    @Test
    void infoShowsTheJitInEffectAndHowToReplaceIt() {
        Map<String, Object> launchers = jit(Map.of());
        assertThat(launchers).containsEntry("compilers", "C1 and C2").containsEntry("c2-only-for-cipher", true)
                .containsEntry("multifd-jit-options", null);
        assertThat(launchers.get("rule")).asString().contains("MULTIFD_JIT_OPTIONS");

        assertThat(jit(Map.of("MULTIFD_JIT_OPTIONS", "-XX:TieredStopAtLevel=1"))).containsEntry("compilers", "C1")
                .containsEntry("c2-only-for-cipher", false).containsEntry("compiler-directives", null)
                .containsEntry("multifd-jit-options", "-XX:TieredStopAtLevel=1");
    }

    /** {@return the {@code jit} object of {@code multifd info --json} run with this environment} */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> jit(Map<String, String> environment) {
        Launcher.Result run = Launcher.start(Launcher.multifd("info", "--json"), environment).result();
        assertThat(run.exitCode()).as(run.describe()).isZero();
        return (Map<String, Object>) JsonReader.object(run.out()).get("jit");
    }

    /** {@return the classes of the methods C2 compiled in a run of the tool with these arguments} */
    private static List<String> compiledByC2(String... arguments) {
        return compiledByC2(Map.of(), arguments);
    }

    private static List<String> compiledByC2(Map<String, String> environment, String... arguments) {
        Map<String, String> all = new HashMap<>(environment);
        all.put("JDK_JAVA_OPTIONS", "-Xlog:jit+compilation=debug");
        Launcher.Result run = Launcher.start(Launcher.multifd(arguments), all).result();
        assertThat(run.exitCode()).as(run.describe()).isZero();
        return run.out().lines().map(C2_COMPILATION::matcher).filter(Matcher::find).map(m -> m.group(1)).toList();
    }

    /** {@return the JVM options of the JVM the launcher started for these arguments, from its own log} */
    private static List<String> jvmArguments(List<String> arguments, Map<String, String> environment) {
        return jvmArguments(arguments, environment, null);
    }

    private static List<String> jvmArguments(List<String> arguments, Map<String, String> environment,
                                             Path directory) {
        // The log is written before main runs, so a run that then fails (a missing file) still shows it.
        Map<String, String> all = new HashMap<>(environment);
        all.put("JDK_JAVA_OPTIONS", "-Xlog:arguments");
        Launcher.Result run = Launcher.start(Launcher.multifd(arguments.toArray(String[]::new)), all, directory)
                .result();
        List<String> lines = run.out().lines().filter(l -> l.contains("jvm_args:")).toList();
        assertThat(lines).as(run.describe()).hasSize(1);
        return Arrays.asList(lines.get(0).replaceFirst("^.*jvm_args:\\s*", "").strip().split("\\s+"));
    }
}
