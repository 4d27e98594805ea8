package migration.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import migration.json.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code multifd bench cold-ceiling send|receive}: the two processes of {@link ColdCeiling}, for the bench's
 * cold-ceiling rows only (not in {@code multifd bench --help}). The bench starts them exactly as it starts
 * {@code multifd send} and {@code receive} for the cold rows (the same launcher, JVM options and AOT cache), so
 * that the rows differ from the cold ones only by multifd's protocol, digests, zero-page check and command. The
 * receiver writes {@code listening on HOST:PORT} on standard error as {@code receive} does; each prints one JSON
 * document on standard output, the sender's with the {@code total-time} the bench reads from {@code send --json}.
 */
@Command(name = "cold-ceiling", mixinStandardHelpOptions = true, versionProvider = BenchTool.Version.class,
        subcommands = {ColdCeilingCommand.Send.class, ColdCeilingCommand.Receive.class},
        description = "Internal to 'multifd bench': a file into a file over plain TCP streams, no protocol.")
final class ColdCeilingCommand implements Callable<Integer> {

    /** The first argument that names this command ({@link BenchTool}). */
    static final String NAME = "cold-ceiling";

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "missing 'send' or 'receive'");
    }

    /** Prints {@code document} as one JSON document on standard output. */
    private static void print(CommandSpec spec, Map<String, Object> document) {
        PrintWriter out = spec.commandLine().getOut();
        out.println(Json.write(document));
        out.flush();
    }

    /** The sending side. */
    @Command(name = "send", mixinStandardHelpOptions = true, versionProvider = BenchTool.Version.class,
            description = "Sends --from over --channels plain TCP streams to a 'cold-ceiling receive'.")
    static final class Send implements Callable<Integer> {

        @Spec
        private CommandSpec spec;

        @Option(names = "--to", required = true, paramLabel = "HOST:PORT", converter = Address.class,
                description = "Where the receiver listens, as its 'listening on' line says.")
        private InetSocketAddress to;

        @Option(names = "--from", required = true, paramLabel = "FILE", description = "The file to send.")
        private Path from;

        @Option(names = "--channels", paramLabel = "N", defaultValue = "1",
                description = "Streams, 1 to " + ColdCeiling.MAX_STREAMS + " (default: ${DEFAULT-VALUE}).")
        private int channels;

        @Override
        public Integer call() throws IOException {
            if (channels < 1 || channels > ColdCeiling.MAX_STREAMS) {
                throw new ParameterException(spec.commandLine(), "--channels must be 1 to " + ColdCeiling.MAX_STREAMS
                        + ", but is " + channels);
            }
            if (!Files.isRegularFile(from)) {
                throw new IOException("cannot send " + from + ": "
                        + (Files.exists(from) ? "not a regular file" : "no such file"));
            }
            long nanos = ColdCeiling.send(to, from, channels);
            // IMPORTANT: the member ColdRunner reads, in milliseconds as in send --json.
            print(spec, Map.of("total-time", nanos / 1_000_000));
            return 0;
        }
    }

    /** The receiving side. */
    @Command(name = "receive", mixinStandardHelpOptions = true, versionProvider = BenchTool.Version.class,
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
                InetSocketAddress address = receiver.address();
                String host = address.getAddress().getHostAddress();
                err.println("listening on " + (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host)
                        + ":" + address.getPort());
                err.flush();
                long bytes = receiver.receive();
                receiver.commit();
                Map<String, Object> document = new LinkedHashMap<>();
                document.put("bytes", bytes);
                document.put("in-place", receiver.writtenInPlace());
                print(spec, document);
                return 0;
            }
        }
    }

    /** {@code HOST:PORT} as the receiver's {@code listening on} line gives it (a loopback address). */
    static final class Address implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            int colon = value.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("expected HOST:PORT, such as 127.0.0.1:4444");
            }
            int port;
            try {
                port = Integer.parseInt(value.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("expected a port from 1 to 65535 after the last ':'");
            }
            return new InetSocketAddress(value.substring(0, colon).replaceAll("^\\[|]$", ""), port);
        }
    }
}
