package migration.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationSource;
import migration.MigrationStats;
import migration.RamBlock;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code multifd send}: the source side, migrating one file to a {@code multifd receive}. */
@Command(name = "send", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Migrates a file, mapped read-only as one ram block named '" + SendCommand.BLOCK + "', to a "
                + "destination started with 'multifd receive'.",
                "Succeeds only when the destination has verified the end-to-end digests."},
        footer = {"", "Exit codes: 0 completed and verified, 1 failed (one line says why), 2 usage error.",
                "Rates use binary units per second: 100m = 100 MiB/s, 1g = 1 GiB/s."})
final class SendCommand implements Callable<Integer> {

    /** IMPORTANT: the block name {@code receive --into} accepts (any name) and {@code receive --size} reports. */
    static final String BLOCK = "ram0";

    @Spec
    private CommandSpec spec;

    @Option(names = "--to", required = true, paramLabel = "HOST:PORT|unix:PATH",
            converter = OptionConverters.RemoteEndpoint.class,
            description = "Where 'multifd receive' listens, e.g. 10.0.0.2:4444 or [::1]:4444, or on this host a Unix"
                    + " domain socket, e.g. unix:/run/multifd.sock.")
    private Endpoint to;

    @Option(names = "--from", required = true, paramLabel = "FILE", description = "The file to send.")
    private Path from;

    @Mixin
    private SourceOptions options;

    @Mixin
    private TlsOptions tls;

    @Option(names = "--max-bandwidth", paramLabel = "RATE", defaultValue = "0",
            converter = OptionConverters.Rate.class,
            description = "Limit across all channels in bytes per second, e.g. 100m; 0 for none (default).")
    private long maxBandwidth;

    @Option(names = "--json", description = "Print the final statistics as one JSON document (QEMU "
            + "query-migrate names) instead of the table; progress stays on standard error.")
    private boolean json;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = OptionConverters.Timeout.class,
            description = "Give up (and cancel) when the migration has not completed this long after it started, "
                    + "e.g. 30s, 5m (default: no limit beyond the peer timeouts).")
    private Duration timeout;

    @Override
    public Integer call() throws MigrationException, IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String name = spec.qualifiedName();
        SocketAddress destination = to.resolveOption(spec.commandLine(), "--to");
        MigrationParameters params = options.parameters()
                .withMaxBandwidth(maxBandwidth).withTls(tls.parameters());
        long size = fileSize();
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.mapFile(BLOCK, from, size, false, arena);
            try (MigrationSource source = MigrationSource.start(destination, List.of(block), params);
                 Shutdown.Registration cancel = Shutdown.current().cancelling(source::cancel)) {
                Progress progress = new Progress(err, name, Progress.onTerminal(), true);
                progress.note("sending " + from + " (" + ByteSize.format(size) + ") to " + to + " over "
                        + options.describe()
                        + (maxBandwidth == 0 ? "" : ", at most " + ByteSize.format(maxBandwidth) + "/s"));
                if (!progress.follow(source::await, source::stats, timeout)) {
                    source.cancel();
                    source.await(Shutdown.GRACE);
                    throw new MigrationException("the migration did not complete within "
                            + OptionConverters.Timeout.text(timeout) + " (--timeout); cancelled", source.stats(), null);
                }
                MigrationStats stats = source.await();
                return Outcome.completed(out, json, name + ": sent " + from + " (" + ByteSize.format(size) + ") to "
                        + to, stats, true);
            } catch (MigrationException e) {
                throw Outcome.failed(out, json, e);
            }
        }
    }


    private long fileSize() throws IOException {
        if (!Files.isRegularFile(from)) {
            throw new CommandFailure("cannot send " + from + ": "
                    + (Files.exists(from) ? "not a regular file" : "no such file"));
        }
        long size = Files.size(from);
        if (size == 0) {
            throw new CommandFailure("cannot send " + from + ": the file is empty");
        }
        return size;
    }
}
