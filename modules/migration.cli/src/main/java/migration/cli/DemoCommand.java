package migration.cli;

import io.channel.memory.PageMemory;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import migration.LiveParameters;
import migration.MigrationDestination;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationSource;
import migration.MigrationStats;
import migration.RamBlock;
import migration.RamBlockProvider;
import migration.cli.live.PageWriters;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code multifd demo}: a source and a destination in this process, over loopback. */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Migrates memory from a source to a destination in this process over loopback "
                + "(127.0.0.1, a free port), then shows what moved, how fast, and what zero-copy did.",
                "The source memory holds random data with about 25%% zero pages in runs; the destination "
                        + "receives into fresh memory and verifies end-to-end digests."},
        footer = {"", "Exit codes: 0 completed and verified, 1 failed, 2 usage error.",
                "Sizes and rates use binary units: 512k, 64m, 1g, 1.5g, 4096 (bytes)."})
final class DemoCommand implements Callable<Integer> {

    /** The block's name in the demo. */
    static final String BLOCK = "ram0";

    @Spec
    private CommandSpec spec;

    @Option(names = "--size", paramLabel = "SIZE", defaultValue = "1g", converter = OptionConverters.Size.class,
            description = "Memory to migrate (default: ${DEFAULT-VALUE}).")
    private long size;

    @Mixin
    private SourceOptions options;

    @Option(names = "--live", description = "Migrate live: writer threads dirty random pages during the migration,"
            + " rounds resend them, and the writers are paused for the last round (and throttled with"
            + " --auto-converge).")
    private boolean live;

    @Option(names = "--dirty-rate", paramLabel = "RATE", defaultValue = "64m", converter = OptionConverters.Rate.class,
            description = "With --live: bytes of pages the writers dirty per second (default: ${DEFAULT-VALUE}).")
    private long dirtyRate;

    @Option(names = "--downtime-limit", paramLabel = "MS", defaultValue = "300",
            description = "With --live: switch over once the expected downtime is at most this many milliseconds"
                    + " (default: ${DEFAULT-VALUE}, QEMU's downtime-limit).")
    private long downtimeLimit;

    @Option(names = "--auto-converge", description = "With --live: throttle the writers when they dirty memory"
            + " faster than it moves (QEMU's auto-converge: 20%%, +10%% per step, up to 99%%).")
    private boolean autoConverge;

    @Option(names = "--tls", description = "Run TLS 1.3 on every channel, with a throwaway CA and certificates"
            + " made for this run (in memory only): the destination accepts only the demo source's identity, the"
            + " source checks the destination's name; the summary shows the protocol, cipher suite and peer.")
    private boolean tls;

    @Option(names = "--handover", description = "Hand the memory over on this host instead of copying it: the"
            + " source's memory is a memfd that writer threads dirty (at --dirty-rate), the destination a second"
            + " process ('multifd receive --listen unix:PATH'), and the source passes the memfd over the Unix domain"
            + " socket in the pause, so no page crosses it; the destination's memory is then compared with the"
            + " source's final memory. Linux only.")
    private boolean handover;

    @Option(names = "--json", description = "Print the source's final statistics as one JSON document "
            + "(QEMU query-migrate names) instead of the table; progress stays on standard error.")
    private boolean json;

    @Override
    public Integer call() throws MigrationException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String name = spec.qualifiedName();
        MigrationParameters params = options.parameters();
        if (handover) {
            if (tls || live || autoConverge) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--handover runs live on its"
                        + " own and without TLS (a Unix domain socket on this host): leave out --live,"
                        + " --auto-converge and --tls");
            }
            try {
                return new HandoverDemo(name, size, dirtyRate, java.time.Duration.ofMillis(downtimeLimit), json)
                        .run(out, err, params);
            } catch (java.io.IOException e) {
                throw new CommandFailure("--handover: " + OneLine.of(e), e);
            }
        }
        MigrationParameters destinationParams = params;
        if (tls) {
            DemoCredentials credentials = DemoCredentials.make();
            params = params.withTls(credentials.source());
            destinationParams = destinationParams.withTls(credentials.destination());
        }
        try (Arena arena = Arena.ofShared()) {
            Progress progress = new Progress(err, name, Progress.onTerminal(), true);
            progress.note("filling " + ByteSize.format(size)
                    + " of source memory (random data, about 25% zero pages in runs)");
            long fillStart = System.nanoTime();
            MemorySegment memory = allocate(arena);
            Shutdown shutdown = Shutdown.current();
            DemoContent.fill(memory, System.nanoTime(), shutdown::requested);
            if (shutdown.requested()) {
                throw Outcome.failed(out, json, new MigrationException("cancelled before the migration started"));
            }
            progress.note(String.format(Locale.ROOT, "filled in %.2f s",
                    (System.nanoTime() - fillStart) / 1e9));
            RamBlock block = RamBlock.of(BLOCK, memory);
            InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            try (MigrationDestination destination = MigrationDestination.listen(loopback,
                    RamBlockProvider.anonymous(arena), destinationParams);
                 MigrationSource source = startSource(destination, block, params);
                 Shutdown.Registration cancel = Shutdown.current().cancelling(() -> {
                     source.cancel();
                     destination.cancel();
                 })) {
                progress.note("migrating " + ByteSize.format(size) + " to "
                        + HostPort.format(destination.localAddress()) + " over "
                        + options.describe() + (tls ? ", TLS with a throwaway CA" : ""));
                progress.follow(source::await, source::stats, null);
                MigrationStats sent = source.await();
                MigrationStats received = destination.await();
                int exitCode = Outcome.completed(out, json, name + ": migrated " + ByteSize.format(size), sent,
                        true);
                if (writers != null && !json) {
                    LiveDemo.summarize(out, sent, writers);
                }
                if (!received.verified()) {
                    throw new CommandFailure("the destination did not verify the digests");
                }
                return exitCode;
            } catch (MigrationException e) {
                throw Outcome.failed(out, json, e);
            } finally {
                if (writers != null) {
                    writers.stopQuietly();
                }
            }
        }
    }

    /** The writers of a live demo, or {@code null}. */
    private PageWriters writers;

    /** Starts the source: as before, or with {@code --live} a live migration with writers dirtying the memory. */
    private MigrationSource startSource(MigrationDestination destination, RamBlock block, MigrationParameters params)
            throws MigrationException {
        if (!live) {
            return MigrationSource.start(destination.localAddress(), List.of(block), params);
        }
        if (dirtyRate <= 0 || downtimeLimit < 0) {
            throw new CommandFailure("--live needs a positive --dirty-rate and a --downtime-limit of 0 or more");
        }
        writers = new PageWriters(block.memory(), dirtyRate, 2);
        writers.start();
        LiveParameters liveParams = LiveParameters.defaults()
                .withDowntimeLimit(java.time.Duration.ofMillis(downtimeLimit)).withAutoConverge(autoConverge);
        return MigrationSource.startLive(destination.localAddress(), List.of(block), params, liveParams, writers);
    }

    private MemorySegment allocate(Arena arena) {
        try {
            return PageMemory.allocate(size, false, arena);
        } catch (OutOfMemoryError e) {
            throw new CommandFailure("cannot allocate " + ByteSize.format(size) + " for the source memory: "
                    + OneLine.of(e), e);
        }
    }
}
