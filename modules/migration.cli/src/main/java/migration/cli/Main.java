package migration.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The {@code multifd} tool: entry point of the launcher.
 *
 * <p>Exit codes: 0 when the command did what it was asked (for migrations: completed and the destination
 * verified the digests), {@value CommandFailure#EXIT_CODE} when it failed, 2 for a usage error. Errors are one line
 * on standard error, {@code multifd <command>: <reason>}.
 */
@Command(name = "multifd", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        subcommands = {DemoCommand.class, SendCommand.class, ReceiveCommand.class, InfoCommand.class,
                BenchCommand.class},
        description = "Zero-copy multi-channel memory migration.",
        footer = {"", "Exit codes: 0 success (a migration completed and was verified), 1 failure, 2 usage error.",
                "Choose the channel provider with --provider; pass other Java options through JDK_JAVA_OPTIONS."})
public final class Main implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    /** Picocli instantiates it. */
    public Main() {
    }

    /**
     * Runs the tool and exits with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        Shutdown.installHook();
        int exitCode = run(args, System.out, System.err);
        // Lets a Ctrl-C or SIGTERM that arrived meanwhile end the JVM (130, 143) now that everything is printed.
        Shutdown.current().reported();
        System.exit(exitCode);
    }

    /**
     * Runs the tool with the given streams, without exiting.
     *
     * @param args the command line
     * @param out  standard output: results, and with {@code --json} exactly one JSON document
     * @param err  standard error: progress, logs and errors
     * @return the exit code
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return commandLine(out, err).execute(args);
    }

    /** {@return the configured command line, writing to the given streams} */
    static CommandLine commandLine(PrintStream out, PrintStream err) {
        CommandLine commandLine = new CommandLine(new Main());
        commandLine.setOut(writer(out));
        commandLine.setErr(writer(err));
        commandLine.setParameterExceptionHandler(new UsageErrorHandler());
        commandLine.setExecutionExceptionHandler(new FailureHandler());
        return commandLine;
    }

    private static PrintWriter writer(PrintStream stream) {
        Charset charset = stream.charset();
        return new PrintWriter(new java.io.OutputStreamWriter(stream, charset), true);
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("multifd: missing command (see 'multifd --help')");
        spec.commandLine().usage(err);
        return spec.exitCodeOnInvalidInput();
    }

    /** The version: the module's, when the jar records one, and the Java it runs on. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getModule().getDescriptor() == null ? null
                    : Main.class.getModule().getDescriptor().rawVersion().orElse(null);
            return new String[] {"multifd " + (version == null ? "(development build)" : version) + ", Java "
                    + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
