package migration.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.spi.ToolProvider;
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
 *
 * <p>{@code multifd bench} is not one of the tool's commands: it is the tool {@value #BENCH_TOOL} of module
 * {@code migration.bench}, found through {@link java.util.ServiceLoader} where it is installed (the runtime image
 * has it), which gets the rest of the command line and the streams. The tool knows nothing else of it.
 */
@Command(name = "multifd", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        subcommands = {DemoCommand.class, SendCommand.class, ReceiveCommand.class, InfoCommand.class},
        description = "Zero-copy multi-channel memory migration.",
        footer = {"", "Exit codes: 0 success (a migration completed and was verified), 1 failure, 2 usage error.",
                "Choose the channel provider with --provider; pass other Java options through JDK_JAVA_OPTIONS.",
                "multifd info shows the JIT in effect; MULTIFD_JIT_OPTIONS replaces the launcher's JIT options."})
public final class Main implements Callable<Integer> {

    /**
     * The commands by name, each made only when the command line names it. IMPORTANT: the same commands as the
     * {@code subcommands} of this class's {@code @Command} (MainTest checks it).
     */
    static final Map<String, Supplier<Object>> COMMANDS = Map.of(
            "demo", DemoCommand::new,
            "send", SendCommand::new,
            "receive", ReceiveCommand::new,
            "info", InfoCommand::new);

    /** The command that runs the benchmark, where it is installed. */
    static final String BENCH = "bench";
    /** IMPORTANT: the name of the benchmark's {@link ToolProvider} (module migration.bench, BenchTool.NAME). */
    static final String BENCH_TOOL = "multifd-bench";

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
        if (namesBench(args)) {
            return bench().map(tool -> tool.run(out, err, afterCommand(args)))
                    .orElseGet(() -> benchMissing(writer(err)));
        }
        return commandLine(writer(out), writer(err), args).execute(args);
    }

    /**
     * Runs the tool with the given writers, without exiting ({@link MultifdTool}).
     *
     * @param args the command line
     * @param out  standard output
     * @param err  standard error
     * @return the exit code
     */
    static int run(String[] args, PrintWriter out, PrintWriter err) {
        if (namesBench(args)) {
            return bench().map(tool -> tool.run(out, err, afterCommand(args))).orElseGet(() -> benchMissing(err));
        }
        return commandLine(out, err, args).execute(args);
    }

    private static boolean namesBench(String[] args) {
        return args.length > 0 && args[0].equals(BENCH);
    }

    private static String[] afterCommand(String[] args) {
        return Arrays.copyOfRange(args, 1, args.length);
    }

    /** {@return the benchmark's tool, where module migration.bench is installed} */
    static Optional<ToolProvider> bench() {
        return ToolProvider.findFirst(BENCH_TOOL);
    }

    private static int benchMissing(PrintWriter err) {
        err.println("multifd bench: the benchmark is not installed here: no tool '" + BENCH_TOOL + "' (module"
                + " migration.bench) in this runtime; the runtime image has it");
        err.flush();
        return CommandFailure.EXIT_CODE;
    }

    /**
     * {@return the configured command line for these arguments, writing to the given streams} When the first
     * argument names a command, the root has that command alone: picocli builds the model of every subcommand it
     * is given (reflection over its fields and a proxy per annotation type), which was a third of what
     * {@code multifd send --help} cost, paid again by both processes of every migration. Otherwise (no command,
     * {@code --help}, {@code --version}, a mistyped command) the root has them all, to list them, and
     * {@code bench} where the benchmark is installed.
     */
    static CommandLine commandLine(PrintWriter out, PrintWriter err, String... args) {
        Supplier<Object> named = args.length == 0 ? null : COMMANDS.get(args[0]);
        CommandLine commandLine = named == null ? new CommandLine(new Main())
                : new CommandLine(new Root()).addSubcommand(named.get());
        if (named == null) {
            // Listed with its description only: its options are the benchmark's own (multifd bench --help).
            bench().ifPresent(tool -> {
                CommandSpec listing = CommandSpec.create();
                listing.usageMessage().description(tool.description().orElse(BENCH_TOOL));
                commandLine.addSubcommand(BENCH, new CommandLine(listing));
            });
        }
        commandLine.setOut(out);
        commandLine.setErr(err);
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

    /**
     * The root of a command line that names its command: the tool's name and standard options without the other
     * commands. It never runs: the named command does, or a usage error is reported.
     */
    @Command(name = "multifd", mixinStandardHelpOptions = true, versionProvider = Main.Version.class)
    static final class Root {
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
