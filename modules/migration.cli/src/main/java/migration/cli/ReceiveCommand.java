package migration.cli;

import io.channel.memory.PageMemory;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.management.ManagementFactory;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import migration.MigrationDestination;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationStats;
import migration.MigrationStatus;
import migration.RamBlock;
import migration.RamBlockFile;
import migration.RamBlockProvider;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code multifd receive}: the destination side of {@code multifd send}. */
@Command(name = "receive", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Listens for one migration from 'multifd send' and receives its ram block into a file "
                + "(--into) or into memory of a given size (--size), then verifies the end-to-end digests.",
                "Before listening it checks that the destination can be used. As soon as it listens it writes "
                        + "'listening on HOST:PORT' on standard error, with the real port when port 0 was asked for.",
                "With --into, the block is written to a temporary file next to FILE (.FILE.<random>.partial) and "
                        + "renamed onto FILE only once the digests are verified; until then FILE stays as it was. "
                        + "With --in-place, an existing FILE of the source's block size is written where it is "
                        + "instead: faster, but a migration that fails part-way leaves it partly overwritten.",
                "The receive locks its temporary file (in place, FILE) until it ends. Before listening it removes, "
                        + "and names, the temporary files that no process holds (left by a receive into FILE that "
                        + "was killed), and refuses when another receive is writing FILE."},
        footer = {"", "Exit codes: 0 received and verified, 1 failed or the destination cannot be used (one line "
                + "says why), 2 usage error."})
final class ReceiveCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT|unix:PATH",
            converter = OptionConverters.ListenEndpoint.class,
            description = "Where to listen, e.g. 0.0.0.0:4444, [::]:4444, or 127.0.0.1:0 for a free port; or a Unix"
                    + " domain socket on this host, e.g. unix:/run/multifd.sock (PATH must not exist; it is removed"
                    + " again), which lets in only processes of this user (see --allow-uid).")
    private Endpoint listen;

    @Option(names = "--allow-uid", paramLabel = "UID", split = ",",
            description = "With --listen unix:PATH: also let in processes of these users (by uid), e.g. 1000,1001;"
                    + " a process of any other user is refused before it can send a byte.")
    private List<Integer> allowedUids = new ArrayList<>();

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Target target;

    /** Where the block goes: a file, or anonymous memory of a given size. */
    static final class Target {
        @Option(names = "--into", required = true, paramLabel = "FILE",
                description = "Receive into this file, replaced only once the digests are verified.")
        Path into;

        @Option(names = "--size", required = true, paramLabel = "SIZE", converter = OptionConverters.Size.class,
                description = "Receive into fresh memory of this size (must equal the source's block size), "
                        + "e.g. 64m; the data is discarded after verification.")
        Long size;
    }

    @Option(names = "--in-place", description = "With --into: write an existing FILE of the source's block size "
            + "in place, reusing its pages, instead of a temporary file renamed onto it. Faster and lighter on the "
            + "CPU (no new file pages to allocate, no old ones to free), but not atomic: a migration that fails "
            + "part-way leaves FILE partly overwritten. A missing FILE, or one of another size, still goes through "
            + "a temporary file.")
    private boolean inPlace;

    @Option(names = "--timeout", paramLabel = "DURATION", converter = OptionConverters.Timeout.class,
            description = "Give up (and cancel) when no migration has completed this long after listening, "
                    + "e.g. 30s, 5m (default: wait without limit).")
    private Duration timeout;

    @Mixin
    private ProviderOption provider;

    @Mixin
    private TlsOptions tls;

    @Mixin
    private PeerTimeouts timeouts;

    @Option(names = "--print-digest", description = "After a completed migration, print the CRC32C of each"
            + " received block on standard error (a line 'digest BLOCK 0x...'), e.g. to compare with the source's"
            + " memory.")
    private boolean printDigest;

    @Option(names = "--json", description = "Print the destination's final statistics as one JSON document "
            + "(QEMU query-migrate names) instead of the table.")
    private boolean json;

    @Override
    public Integer call() throws MigrationException, IOException, InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        SocketAddress local = listen.resolveOption(spec.commandLine(), "--listen");
        if (allowedUids.stream().anyMatch(uid -> uid < 0)) {
            throw new ParameterException(spec.commandLine(), "invalid --allow-uid " + allowedUids + ": a user id is"
                    + " 0 or more");
        }
        if (!allowedUids.isEmpty() && !listen.isUnix()) {
            throw new ParameterException(spec.commandLine(), "--allow-uid needs --listen unix:PATH: over TCP the"
                    + " kernel does not tell the peer's user");
        }
        if (inPlace && target.into == null) {
            throw new ParameterException(spec.commandLine(), "--in-place needs --into FILE: it says how a file is"
                    + " written, and --size receives into memory");
        }
        try (Arena arena = Arena.ofShared()) {
            if (target.into == null) {
                checkMemory(target.size);
                return receive(local, memory(arena, target.size), null);
            }
            try (RamBlockFile file = inPlace ? RamBlockProvider.fileInPlace(target.into, arena)
                    : RamBlockProvider.file(target.into, arena)) {
                boolean existed = Files.exists(file.file());
                List<RamBlockFile.StaleCopy> removed;
                try {
                    file.check();
                    removed = file.claim();
                } catch (IOException e) {
                    throw new CommandFailure("cannot receive into " + target.into + ": " + OneLine.of(e), e);
                }
                reportStale(err, removed);
                try {
                    return receive(local, file, file);
                } finally {
                    reportDiscarded(err, file, existed);
                }
            }
        }
    }

    /** Says on standard error which temporary files of receives into the same file that died were removed. */
    private void reportStale(PrintWriter err, List<RamBlockFile.StaleCopy> removed) {
        for (RamBlockFile.StaleCopy stale : removed) {
            err.println(spec.qualifiedName() + ": removed " + stale.file() + " (" + ByteSize.format(stale.size())
                    + "), left by an earlier receive into " + target.into + " that did not end");
        }
        err.flush();
    }

    private int receive(SocketAddress local, RamBlockProvider blocks, RamBlockFile file)
            throws MigrationException, IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String name = spec.qualifiedName();
        MigrationParameters params = timeouts.applyTo(MigrationParameters.defaults().withProvider(provider.name())
                .withTls(tls.parameters())).withAllowedPeerUids(Set.copyOf(allowedUids));
        try (MigrationDestination destination = MigrationDestination.listen(local, blocks, params);
             Shutdown.Registration cancel = Shutdown.current().cancelling(destination::cancel)) {
            // IMPORTANT: tests and scripts wait for this line to learn the port.
            err.println("listening on " + (listen.isUnix() ? listen.toString()
                    : HostPort.format(destination.localAddress())));
            err.flush();
            boolean ended = new Progress(err, name, Progress.onTerminal(), false)
                    .follow(destination::await, destination::stats, timeout);
            if (!ended) {
                destination.cancel();
                destination.await(Shutdown.GRACE);
                throw new MigrationException("no migration completed within "
                        + OptionConverters.Timeout.text(timeout) + " (--timeout); cancelled", destination.stats(),
                        null);
            }
            MigrationStats stats = destination.await();
            if (file != null && file.notInPlace() != null) {
                err.println(name + ": not in place: " + file.notInPlace() + "; received through a temporary file");
                err.flush();
            }
            if (file != null && stats.status() == MigrationStatus.COMPLETED && stats.verified()) {
                try {
                    file.commit();
                } catch (IOException e) {
                    throw new CommandFailure("received and verified, but " + OneLine.of(e), e);
                }
            }
            if (printDigest && stats.status() == MigrationStatus.COMPLETED) {
                // IMPORTANT: demo --handover reads this line.
                for (var block : destination.blocks()) {
                    err.println("digest " + block.name() + " " + MemoryDigest.text(MemoryDigest.crc32c(block.memory())));
                }
                err.flush();
            }
            String where = file != null ? " into " + target.into : " into memory";
            return Outcome.completed(out, json, name + ": received " + ByteSize.format(stats.total()) + where,
                    stats, false);
        } catch (MigrationException e) {
            throw Outcome.failed(out, json, e);
        }
    }

    /**
     * Says on standard error what a receive that did not succeed left on disk: nothing new, and FILE as it was; or,
     * in place, FILE partly overwritten.
     */
    private void reportDiscarded(PrintWriter err, RamBlockFile file, boolean existed) {
        String name = spec.qualifiedName();
        if (file.writtenInPlace() && !file.committed()) {
            err.println(name + ": " + target.into + " may be partly overwritten (--in-place): the migration did not"
                    + " succeed after it started writing there");
        }
        try {
            Path removed = file.discard();
            if (removed != null) {
                err.println(name + ": removed the incomplete copy " + removed + "; " + target.into
                        + (existed ? " was left as it was" : " was not created"));
            }
        } catch (IOException e) {
            err.println(name + ": " + OneLine.of(e) + "; " + target.into
                    + (existed ? " was left as it was" : " was not created"));
        }
        err.flush();
    }

    /**
     * Refuses at start-up a {@code --size} this machine cannot hold: more than its memory and swap together, or more
     * than it lets this process map (address space, overcommit). Mapping untouched memory costs no page.
     */
    private static void checkMemory(long size) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long memory = os.getTotalMemorySize();
            long swap = os.getTotalSwapSpaceSize();
            if (memory > 0 && size > memory + swap) {
                throw new CommandFailure("cannot receive --size " + ByteSize.format(size) + ": this machine has "
                        + ByteSize.format(memory) + " of memory and " + ByteSize.format(swap) + " of swap");
            }
        }
        try (Arena probe = Arena.ofConfined()) {
            PageMemory.allocate(size, false, probe);
        } catch (OutOfMemoryError e) {
            throw new CommandFailure("cannot receive --size " + ByteSize.format(size) + ": this process cannot map "
                    + "that much memory: " + OneLine.of(e), e);
        }
    }

    /** {@return fresh memory of exactly {@code expected} bytes for the one block the source announces} */
    private static RamBlockProvider memory(Arena arena, long expected) {
        RamBlockProvider fresh = RamBlockProvider.anonymous(arena);
        AtomicReference<String> first = new AtomicReference<>();
        return new RamBlockProvider() {
            @Override
            public RamBlock blockFor(String block, long size) throws IOException {
                check(block, size);
                return fresh.blockFor(block, size);
            }

            /** A block handed over is checked as one copied is, and mapped into the same arena. */
            @Override
            public Arena handoverArena(String block, long size) throws IOException {
                check(block, size);
                return fresh.handoverArena(block, size);
            }

            private void check(String block, long size) throws IOException {
                if (!first.compareAndSet(null, block)) {
                    throw new IOException("multifd receive takes a single ram block, but the source announced '"
                            + first.get() + "' and '" + block + "'");
                }
                if (size != expected) {
                    throw new IOException("size mismatch: the source's ram block '" + block + "' has " + size
                            + " bytes (" + ByteSize.format(size) + ") but the destination's --size is " + expected
                            + " bytes (" + ByteSize.format(expected) + ")");
                }
            }
        };
    }

}
