package migration.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.spi.ToolProvider;

/**
 * The {@code multifd} tool as a {@link ToolProvider}, to run its commands inside another Java program (as the
 * benchmark's AOT training does) with the exit codes and output of the launcher, but without exiting the JVM and
 * without the launcher's Ctrl-C handling.
 */
public final class MultifdTool implements ToolProvider {

    /** Made by {@link java.util.ServiceLoader}. */
    public MultifdTool() {
    }

    @Override
    public String name() {
        return "multifd";
    }

    @Override
    public Optional<String> description() {
        return Optional.of("Zero-copy multi-channel memory migration.");
    }

    @Override
    public int run(PrintStream out, PrintStream err, String... args) {
        return Main.run(args, out, err);
    }

    @Override
    public int run(PrintWriter out, PrintWriter err, String... args) {
        return Main.run(args, out, err);
    }
}
