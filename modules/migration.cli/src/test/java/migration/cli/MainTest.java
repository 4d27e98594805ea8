package migration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    private static final PrintWriter NOWHERE = new PrintWriter(new StringWriter());

    @Test
    void theCommandsMadeOnDemandAreExactlyTheToolsSubcommands() {
        CommandLine all = new CommandLine(new Main());

        assertThat(Main.COMMANDS.keySet()).containsExactlyInAnyOrderElementsOf(all.getSubcommands().keySet());
        Main.COMMANDS.forEach((name, command) -> assertThat(new CommandLine(command.get()).getCommandName())
                .as("the command made for '%s'", name).isEqualTo(name));
    }

    @Test
    void aCommandLineThatNamesItsCommandBuildsThatCommandAlone() {
        CommandLine commandLine = Main.commandLine(NOWHERE, NOWHERE, "send", "--help");

        assertThat(commandLine.getSubcommands()).containsOnlyKeys("send");
        assertThat(commandLine.getSubcommands().get("send").getCommandSpec().qualifiedName()).isEqualTo("multifd send");
    }

    @Test
    void aCommandLineWithoutACommandListsThemAll() {
        assertThat(Main.commandLine(NOWHERE, NOWHERE, "--help").getSubcommands())
                .containsOnlyKeys(Main.COMMANDS.keySet());
        assertThat(Main.commandLine(NOWHERE, NOWHERE).getSubcommands()).containsOnlyKeys(Main.COMMANDS.keySet());
        assertThat(Main.commandLine(NOWHERE, NOWHERE, "teleport").getSubcommands())
                .containsOnlyKeys(Main.COMMANDS.keySet());
    }

    @Test
    void withoutTheBenchmarkModuleBenchSaysItIsNotInstalled() {
        Run bench = Run.of("bench", "--help");

        assertThat(Main.bench()).as("module migration.bench is not on this module's test path").isEmpty();
        assertThat(bench.exitCode()).isEqualTo(1);
        assertThat(bench.err()).startsWith("multifd bench: the benchmark is not installed here: no tool"
                + " 'multifd-bench' (module migration.bench)");
        assertThat(Run.of("--help").out()).doesNotContainPattern("(?m)^  bench ");
    }

    @Test
    void theToolHasNoCommandOfTheBenchmarks() {
        Run coldCeiling = Run.of("cold-ceiling");

        assertThat(coldCeiling.exitCode()).isEqualTo(2);
        assertThat(coldCeiling.err()).startsWith("multifd: unmatched argument at index 0: 'cold-ceiling'");
    }

    @Test
    void theToolRunsInAnotherJavaProgramThroughItsToolProvider() {
        ToolProvider multifd = ToolProvider.findFirst("multifd").orElseThrow();
        StringWriter out = new StringWriter();

        int exitCode = multifd.run(new PrintWriter(out), new PrintWriter(new StringWriter()), "--version");

        assertThat(multifd).isInstanceOf(MultifdTool.class);
        assertThat(exitCode).isZero();
        assertThat(out.toString()).startsWith("multifd ");
    }
}
