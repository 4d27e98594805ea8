package migration.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import migration.MigrationDestination;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationStats;
import migration.RamBlock;
import migration.RamBlockProvider;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code multifd receive}: the destination side of {@code multifd send}. */
@Command(name = "receive", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Listens for one migration from 'multifd send' and receives its ram block into a file "
                + "(--into) or into memory of a given size (--size), then verifies the end-to-end digests.",
                "As soon as it listens it writes 'listening on HOST:PORT' on standard error, with the real port "
                        + "when port 0 was asked for."},
        footer = {"", "Exit codes: 0 received and verified, 1 failed (one line says why), 2 usage error."})
final class ReceiveCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT",
            converter = OptionConverters.ListenAddress.class,
            description = "Where to listen, e.g. 0.0.0.0:4444, [::]:4444, or 127.0.0.1:0 for a free port.")
    private HostPort listen;

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Target target;

    /** Where the block goes: a file, or anonymous memory of a given size. */
    static final class Target {
        @Option(names = "--into", required = true, paramLabel = "FILE",
                description = "Receive into this file: created or resized to the source's block size, and mapped.")
        Path into;

        @Option(names = "--size", required = true, paramLabel = "SIZE", converter = OptionConverters.Size.class,
                description = "Receive into fresh memory of this size (must equal the source's block size), "
                        + "e.g. 64m; the data is discarded after verification.")
        Long size;
    }

    @Option(names = "--timeout", paramLabel = "DURATION", converter = OptionConverters.Timeout.class,
            description = "Give up (and cancel) when no migration has completed this long after listening, "
                    + "e.g. 30s, 5m (default: wait without limit).")
    private Duration timeout;

    @Option(names = "--json", description = "Print the destination's final statistics as one JSON document "
            + "(QEMU query-migrate names) instead of the table.")
    private boolean json;

    @Override
    public Integer call() throws MigrationException, IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String name = spec.qualifiedName();
        InetSocketAddress local = listen.resolveOption(spec.commandLine(), "--listen");
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(local, blocks(arena),
                     MigrationParameters.defaults());
             CancelOnShutdown cancel = CancelOnShutdown.register(destination::cancel, destination::await)) {
            // IMPORTANT: tests and scripts wait for this line to learn the port.
            err.println("listening on " + HostPort.format(destination.localAddress()));
            err.flush();
            boolean ended = new Progress(err, name, Progress.onTerminal(), false)
                    .follow(destination::await, destination::stats, timeout);
            if (!ended) {
                destination.cancel();
                destination.await(CancelOnShutdown.GRACE);
                throw new MigrationException("no migration completed within " + text(timeout)
                        + " (--timeout); cancelled", destination.stats(), null);
            }
            MigrationStats stats = destination.await();
            if (target.into != null && !destination.blocks().isEmpty()) {
                destination.blocks().getFirst().memory().force();
            }
            String where = target.into != null ? " into " + target.into : " into memory";
            return Outcome.completed(out, json, name + ": received " + ByteSize.format(stats.total()) + where,
                    stats, false);
        } catch (MigrationException e) {
            throw Outcome.failed(out, json, e);
        }
    }


    private RamBlockProvider blocks(Arena arena) {
        if (target.into != null) {
            return RamBlockProvider.file(target.into, arena);
        }
        long expected = target.size;
        AtomicReference<String> first = new AtomicReference<>();
        return (block, size) -> {
            if (!first.compareAndSet(null, block)) {
                throw new IOException("multifd receive takes a single ram block, but the source announced '"
                        + first.get() + "' and '" + block + "'");
            }
            if (size != expected) {
                throw new IOException("size mismatch: the source's ram block '" + block + "' has " + size
                        + " bytes (" + ByteSize.format(size) + ") but the destination's --size is " + expected
                        + " bytes (" + ByteSize.format(expected) + ")");
            }
            return RamBlock.anonymous(block, size, arena);
        };
    }

    private static String text(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }
}
