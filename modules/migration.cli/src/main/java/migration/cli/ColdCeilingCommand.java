package migration.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import migration.cli.bench.ColdCeiling;
import migration.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code multifd cold-ceiling send|receive}: hidden (not in {@code multifd --help}), for {@code multifd bench}'s
 * cold-ceiling rows only. The two sides of {@link ColdCeiling}, started by the bench exactly as it starts
 * {@code send} and {@code receive} for the cold rows (same launcher, JVM options and AOT cache), so that the rows
 * differ from the cold ones only by multifd's protocol, digests, zero-page check and command. Each prints one JSON
 * document with the members the bench reads from {@code send --json} and {@code receive --json}: the sender's
 * {@code total-time} and both sides' {@value CpuWindow#JSON_NAME}.
 */
@Command(name = "cold-ceiling", hidden = true, mixinStandardHelpOptions = true,
        subcommands = {ColdCeilingCommand.Send.class, ColdCeilingCommand.Receive.class},
        description = "Internal to 'multifd bench': a file into a file over plain TCP streams, no protocol.")
final class ColdCeilingCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing 'send' or 'receive'");
    }

    /** Prints {@code members} and this process's CPU window as one JSON document on standard output. */
    private static void print(CommandSpec spec, Map<String, Object> members, CpuWindow cpu) {
        Map<String, Object> document = new LinkedHashMap<>(members);
        document.put(CpuWindow.JSON_NAME, cpu.json());
        PrintWriter out = spec.commandLine().getOut();
        out.println(Json.write(document));
        out.flush();
    }

    /** The sending side. */
    @Command(name = "send", mixinStandardHelpOptions = true,
            description = "Sends --from over --channels plain TCP streams to a 'cold-ceiling receive'.")
    static final class Send implements Callable<Integer> {

        @Spec
        private CommandSpec spec;

        @Option(names = "--to", required = true, paramLabel = "HOST:PORT",
                converter = OptionConverters.RemoteAddress.class, description = "Where the receiver listens.")
        private HostPort to;

        @Option(names = "--from", required = true, paramLabel = "FILE", description = "The file to send.")
        private Path from;

        @Option(names = "--channels", paramLabel = "N", defaultValue = "1",
                converter = OptionConverters.Channels.class, description = "Streams (default: ${DEFAULT-VALUE}).")
        private int channels;

        @Override
        public Integer call() throws IOException {
            InetSocketAddress address = to.resolveOption(spec.commandLine(), "--to");
            if (!Files.isRegularFile(from)) {
                throw new CommandFailure("cannot send " + from + ": "
                        + (Files.exists(from) ? "not a regular file" : "no such file"));
            }
            CpuWindow cpu = new CpuWindow();
            long nanos = ColdCeiling.send(address, from, channels, cpu::open);
            cpu.close();
            // IMPORTANT: the member ColdRunner reads, in milliseconds as in send --json.
            print(spec, Map.of("total-time", nanos / 1_000_000), cpu);
            return 0;
        }
    }

    /** The receiving side. */
    @Command(name = "receive", mixinStandardHelpOptions = true,
            description = "Receives one 'cold-ceiling send' into --into, as 'receive --into' writes a file.")
    static final class Receive implements Callable<Integer> {

        @Spec
        private CommandSpec spec;

        @Option(names = "--into", required = true, paramLabel = "FILE",
                description = "The destination file: a temporary file next to it is renamed onto it at the end.")
        private Path into;

        @Option(names = "--in-place", description = "Write an existing FILE of the sent size where it is.")
        private boolean inPlace;

        @Override
        public Integer call() throws IOException {
            PrintWriter err = spec.commandLine().getErr();
            try (ColdCeiling.Receiver receiver = new ColdCeiling.Receiver(into, inPlace)) {
                // IMPORTANT: ColdRunner waits for this line, as for receive's.
                err.println("listening on " + HostPort.format(receiver.address()));
                err.flush();
                CpuWindow cpu = new CpuWindow();
                long bytes = receiver.receive(cpu::open);
                cpu.close();
                receiver.commit();
                Map<String, Object> members = new LinkedHashMap<>();
                members.put("bytes", bytes);
                members.put("in-place", receiver.writtenInPlace());
                print(spec, members, cpu);
                return 0;
            }
        }
    }
}
