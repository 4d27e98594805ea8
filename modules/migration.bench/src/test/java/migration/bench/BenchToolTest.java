package migration.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;
import testkit.ToolRun;

/** How the benchmark is found and started: by the tool, and as its own worker processes. */
class BenchToolTest {

    private static ToolProvider multifd() {
        return ToolProvider.findFirst("multifd").orElseThrow(() -> new AssertionError(
                "the multifd tool (module migration.cli) is not on this module's test path"));
    }

    @Test
    void theToolFindsTheBenchmarkForMultifdBench() {
        ToolRun help = ToolRun.of(multifd(), "bench", "--help");

        assertThat(ToolProvider.findFirst(BenchTool.NAME)).get().isInstanceOf(BenchTool.class);
        assertThat(help.exitCode()).as(help.err()).isZero();
        assertThat(help.out()).startsWith("Usage: multifd bench ").contains("--modes", "--live");
    }

    @Test
    void theToolsHelpListsTheBenchmarkWithItsDescription() {
        ToolRun help = ToolRun.of(multifd(), "--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).containsPattern("(?m)^  bench +Measures migration throughput and CPU")
                .containsPattern("(?m)^  send ");
    }

    @Test
    void theToolPassesTheBenchmarksExitCodeAndMessagesOn() {
        ToolRun run = ToolRun.of(multifd(), "bench", "--channels", "0");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).startsWith("multifd bench: --channels expects");
    }

    @Test
    void anUnknownOptionIsAUsageErrorOnOneLineNamingIt() {
        ToolRun run = ToolRun.of(new BenchTool(), "--frobnicate");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.errLines()).singleElement().asString()
                .isEqualTo("multifd bench: unknown option: '--frobnicate' (see 'multifd bench --help')");
    }

    @Test
    void theWorkersAreThisModulesMainClassInAChildOfThisRuntime() {
        List<String> command = WorkerProcess.bench("--live-worker", "spec");

        assertThat(command).containsSubsequence("-m", "migration.bench/migration.bench.BenchTool", "--live-worker",
                "spec");
        assertThat(command.getFirst()).endsWith("java");
    }
}
