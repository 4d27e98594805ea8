package migration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code multifd info} says which JIT compilers run and whether the launcher's directives keep C2 to the cipher. */
class JitReportTest {

    private static final Path LAUNCHERS = Path.of("/opt/multifd/lib/tls-jit.json");

    @Test
    void theJvmsDefaultFlagsRunBothCompilers() {
        assertThat(JitReport.compilers(Map.of())).isEqualTo("C1 and C2");
        assertThat(JitReport.compilers(Map.of("UseCompiler", "true", "TieredCompilation", "true",
                "TieredStopAtLevel", "4", "CompilationMode", "default"))).isEqualTo("C1 and C2");
    }

    @Test
    void aTieredStopBelowC2RunsC1Alone() {
        assertThat(JitReport.compilers(Map.of("TieredStopAtLevel", "1"))).isEqualTo("C1");
        assertThat(JitReport.compilers(Map.of("CompilationMode", "quick-only"))).isEqualTo("C1");
    }

    @Test
    void noTieringOrHighOnlyRunsC2Alone() {
        assertThat(JitReport.compilers(Map.of("TieredCompilation", "false"))).isEqualTo("C2");
        assertThat(JitReport.compilers(Map.of("CompilationMode", "high-only"))).isEqualTo("C2");
    }

    @Test
    void theInterpreterAloneRunsNoCompiler() {
        assertThat(JitReport.compilers(Map.of("UseCompiler", "false"))).isEqualTo("none (interpreter only)");
        assertThat(JitReport.compilers(Map.of("TieredStopAtLevel", "0"))).isEqualTo("none (interpreter only)");
    }

    @Test
    void theLaunchersDirectivesAreRecognisedThroughTheLaunchersRelativePath() {
        JitReport report = JitReport.of(Map.of(), List.of("--enable-native-access=io.channel.linux",
                "-XX:CompilerDirectivesFile=/opt/multifd/bin/../lib/tls-jit.json"), LAUNCHERS, null);

        assertThat(report.c2OnlyForCipher()).isTrue();
        assertThat(report.directives()).isEqualTo("/opt/multifd/lib/tls-jit.json");
        assertThat(report.toText()).startsWith("jit: C1, and C2 for the JDK's cipher code only (the launcher's"
                + " compiler directives, /opt/multifd/lib/tls-jit.json)");
    }

    @Test
    void theLaunchersDirectivesLimitNothingWhereC2DoesNotRun() {
        JitReport report = JitReport.of(Map.of("UseCompiler", "false"),
                List.of("-XX:CompilerDirectivesFile=/opt/multifd/lib/tls-jit.json"), LAUNCHERS, null);

        assertThat(report.c2OnlyForCipher()).isFalse();
        assertThat(report.toText()).startsWith("jit: none (interpreter only), as the compiler directives in");
    }

    @Test
    void directivesOfTheUsersOwnAreNamedButNotTakenForTheLaunchers() {
        String mine = "-XX:CompilerDirectivesFile=/home/me/mine.json";
        JitReport report = JitReport.of(Map.of(),
                List.of("-XX:CompilerDirectivesFile=/opt/multifd/lib/tls-jit.json", mine), LAUNCHERS, mine);

        assertThat(report.directives()).isEqualTo("/home/me/mine.json");
        assertThat(report.c2OnlyForCipher()).isFalse();
        assertThat(report.toText())
                .startsWith("jit: C1 and C2, as the compiler directives in /home/me/mine.json allow");
    }

    @Test
    void anEmptyVariableShowsThatItReplacedTheLaunchersOptions() {
        JitReport report = JitReport.of(Map.of(), List.of(), LAUNCHERS, "");

        assertThat(report.toText()).startsWith("jit: C1 and C2 (MULTIFD_JIT_OPTIONS='' replaced the launcher's");
        assertThat(report.toJson()).containsEntry("compilers", "C1 and C2").containsEntry("multifd-jit-options", "")
                .containsEntry("c2-only-for-cipher", false).containsEntry("compiler-directives", null);
    }

    @Test
    void bothFormsStateTheRuleAndHowToReplaceIt() {
        JitReport report = JitReport.of(Map.of(), List.of(), LAUNCHERS, null);

        assertThat(report.toText()).contains("rule: " + JitReport.RULE);
        assertThat(report.toJson()).containsEntry("rule", JitReport.RULE).containsEntry("multifd-jit-options", null);
        assertThat(JitReport.RULE).contains("MULTIFD_JIT_OPTIONS");
    }
}
