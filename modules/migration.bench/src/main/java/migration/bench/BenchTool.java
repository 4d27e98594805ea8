package migration.bench;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.module.ModuleDescriptor;
import java.util.Arrays;
import java.util.Optional;
import java.util.spi.ToolProvider;
import migration.MigrationException;
import picocli.CommandLine;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ParameterException;

/**
 * The benchmark as the tool {@value #NAME}: what {@code multifd bench ARGS} runs where this module is installed
 * (the {@code multifd} tool finds it through {@link java.util.ServiceLoader}), and the main class of the
 * benchmark's worker processes. The first argument chooses the command, so that a process builds the picocli model
 * of its own command only, as the tool's commands do:
 * <ul>
 *   <li>{@code cold-ceiling send|receive}: the cold ceiling's two processes ({@link ColdCeilingCommand}), started
 *       as {@code multifd bench cold-ceiling ...} through the same launcher as the cold rows' {@code multifd send}
 *       and {@code receive};</li>
 *   <li>{@code aot-training SIZE}: the image build's AOT training run ({@link AotTraining});</li>
 *   <li>{@code cipher-speed SUITE}: the child that measures the cipher for the report ({@link CipherSpeedChild});</li>
 *   <li>anything else: the benchmark ({@link BenchCommand}), with its worker options.</li>
 * </ul>
 *
 * <p>Exit codes: 0 success, 1 failure (one line on standard error says why), 2 usage error.
 */
public final class BenchTool implements ToolProvider {

    /** IMPORTANT: the name the {@code multifd} tool looks for ({@code migration.cli.Main}). */
    public static final String NAME = "multifd-bench";

    /** The exit code of a command that failed. */
    static final int FAILED = 1;

    /** Made by {@link java.util.ServiceLoader}. */
    public BenchTool() {
    }

    /**
     * Runs the benchmark, or one of its processes, and exits with its exit code.
     *
     * @param args the command line, as after {@code multifd bench}
     */
    public static void main(String[] args) {
        System.exit(new BenchTool().run(System.out, System.err, args));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<String> description() {
        return Optional.of("Measures migration throughput and CPU over loopback against its ceilings: the cold"
                + " one-shot path, the steady state, live migrations (module migration.bench).");
    }

    @Override
    public int run(PrintStream out, PrintStream err, String... args) {
        PrintWriter outWriter = new PrintWriter(new OutputStreamWriter(out, out.charset()), true);
        PrintWriter errWriter = new PrintWriter(new OutputStreamWriter(err, err.charset()), true);
        try {
            return run(outWriter, errWriter, args);
        } finally {
            outWriter.flush();
            errWriter.flush();
        }
    }

    @Override
    public int run(PrintWriter out, PrintWriter err, String... args) {
        String first = args.length == 0 ? "" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        return switch (first) {
            case ColdCeilingCommand.NAME -> commandLine(new ColdCeilingCommand(), "multifd bench " + first, out, err)
                    .execute(rest);
            case AotTraining.NAME -> commandLine(new AotTraining(), "multifd bench " + first, out, err).execute(rest);
            case CipherSpeedChild.NAME -> CipherSpeedChild.run(out, rest);
            default -> commandLine(new BenchCommand(out, err), "multifd bench", out, err).execute(args);
        };
    }

    private static CommandLine commandLine(Object command, String name, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(command).setCommandName(name);
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setParameterExceptionHandler(BenchTool::usageError);
        commandLine.setExecutionExceptionHandler((e, failed, parsed) -> failure(e, failed));
        return commandLine;
    }

    /** A usage error: one line, {@code multifd bench: <what> (see 'multifd bench --help')}, and exit code 2. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        String name = command.getCommandSpec().qualifiedName();
        String message = BenchWorker.oneLine(e).replaceFirst("^Error: ", "");
        message = message.isEmpty() ? message : Character.toLowerCase(message.charAt(0)) + message.substring(1);
        command.getErr().println(name + ": " + message + " (see '" + name + " --help')");
        command.getErr().flush();
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * A failure: one line, {@code multifd bench ...: <why>}, and exit code {@value #FAILED}; a stack trace too for
     * what is a defect rather than a failed migration or file.
     */
    private static int failure(Exception e, CommandLine command) {
        PrintWriter err = command.getErr();
        err.println(command.getCommandSpec().qualifiedName() + ": " + BenchWorker.oneLine(e));
        if (!(e instanceof MigrationException || e instanceof IOException)) {
            e.printStackTrace(err);
        }
        err.flush();
        return FAILED;
    }

    /** The version: the module's, when the jar records one, and the Java it runs on. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Optional.ofNullable(BenchTool.class.getModule().getDescriptor())
                    .flatMap(ModuleDescriptor::rawVersion).orElse("(development build)");
            return new String[] {"multifd bench " + version + ", Java " + Runtime.version()};
        }
    }
}
