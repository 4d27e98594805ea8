package migration.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code multifd} tool: entry point of the launcher. */
@Command(name = "multifd", mixinStandardHelpOptions = true, subcommands = {BenchCommand.class},
        description = "Zero-copy multi-channel memory migration.")
public final class Main implements Runnable {

    /** Picocli instantiates it. */
    public Main() {
    }

    /**
     * Runs the tool and exits with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
