package migration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    private static final PrintStream NOWHERE = new PrintStream(new ByteArrayOutputStream(), true,
            StandardCharsets.UTF_8);

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
}
