package migration.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that starts this tool again in another process, for a demo that needs two: the image's
 * launcher where this runtime is the image, else this runtime's {@code java} with the module path it was started
 * with (a build: Maven, an IDE), whose launcher options are not baked in.
 */
final class ToolCommand {

    private ToolCommand() {
    }

    /** {@return the command, to which the tool's arguments are added} */
    static List<String> current() {
        Path launcher = Path.of(System.getProperty("java.home"), "bin", "multifd");
        if (Files.isExecutable(launcher)) {
            return List.of(launcher.toString());
        }
        List<String> command = new ArrayList<>();
        // Linux reports "/path/java (deleted)" once the launcher was replaced on disk (a rebuild): use the path.
        command.add(ProcessHandle.current().info().command().map(c -> c.replaceFirst(" \\(deleted\\)$", ""))
                .orElse(System.getProperty("java.home") + "/bin/java"));
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null && !modulePath.isEmpty()) {
            command.add("--module-path");
            command.add(modulePath);
            if (ModuleLayer.boot().findModule("io.channel.linux").isPresent()) {
                command.add("--enable-native-access=io.channel.linux");
            }
        }
        command.add("-m");
        command.add("migration.cli/migration.cli.Main");
        return command;
    }
}
