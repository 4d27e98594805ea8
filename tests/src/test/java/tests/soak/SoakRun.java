package tests.soak;

import io.channel.ChannelProviders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import migration.MigrationDestination;
import migration.MigrationParameters;
import migration.MigrationSource;
import migration.MigrationStats;
import migration.MigrationStatus;
import migration.RamBlock;
import migration.RamBlockProvider;
import tests.Memories;

/**
 * The soak run, in a JVM of its own so that nothing else lives in it: {@code WARM_UP} migrations, then the
 * baseline, then {@code RUNS} more, each source and destination in this process over loopback with a few MiB
 * of fresh memory, the copying and the Linux provider in turn, every one checked byte for byte. Prints
 * {@code key=value} lines for {@link SoakTest}: {@code fds-before}/{@code fds-after} (each descriptor with its
 * target), {@code threads-before}/{@code threads-after}, {@code rss-before}/{@code rss-middle}/{@code rss-after}
 * (bytes, after a full GC; the middle one after half of the runs). Exits non-zero if a migration fails.
 *
 * <pre>
 * SoakRun WARM_UP RUNS SIZE_BYTES
 * </pre>
 */
public final class SoakRun {

    private SoakRun() {
    }

    /**
     * Runs the soak.
     *
     * @param args see the class comment
     * @throws Exception if a migration fails
     */
    public static void main(String[] args) throws Exception {
        int warmUp = Integer.parseInt(args[0]);
        int runs = Integer.parseInt(args[1]);
        long size = Long.parseLong(args[2]);
        var linux = ChannelProviders.named("linux");
        if (!linux.isAvailable()) {
            System.out.println("skip=Linux provider unavailable: " + linux.unavailabilityCause());
            return;
        }
        for (int i = 0; i < warmUp; i++) {
            migrate(i, size);
        }
        awaitMigrationThreadsEnded();
        print("before");
        for (int i = 0; i < runs / 2; i++) {
            migrate(warmUp + i, size);
        }
        awaitMigrationThreadsEnded();
        System.out.println("rss-middle=" + residentBytes());
        for (int i = runs / 2; i < runs; i++) {
            migrate(warmUp + i, size);
        }
        awaitMigrationThreadsEnded();
        print("after");
    }

    private static void print(String when) throws IOException {
        System.out.println("fds-" + when + "=" + fileDescriptors());
        System.out.println("threads-" + when + "=" + threadNames());
        System.out.println("rss-" + when + "=" + residentBytes());
        System.out.flush();
    }

    /** One migration of fresh memory; even runs use the copying provider, odd ones the Linux provider. */
    private static void migrate(int run, long size) throws Exception {
        MigrationParameters params = MigrationParameters.defaults().withChannels(2)
                .withProvider(run % 2 == 0 ? "copy" : "linux");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(size, 4096);
            Memories.fill(memory, run);
            MigrationStats sent;
            MigrationStats received;
            long mismatch;
            try (MigrationDestination destination = MigrationDestination.listen(
                    new InetSocketAddress("127.0.0.1", 0), RamBlockProvider.anonymous(arena), params);
                 MigrationSource source = MigrationSource.start(destination.localAddress(),
                         List.of(RamBlock.of("ram0", memory)), params)) {
                sent = source.await();
                received = destination.await();
                mismatch = destination.blocks().getFirst().memory().mismatch(memory);
            }
            if (sent.status() != MigrationStatus.COMPLETED || !received.verified() || mismatch != -1) {
                throw new IllegalStateException("run " + run + ": status " + sent.status() + ", verified "
                        + received.verified() + ", first differing byte " + mismatch);
            }
        }
    }

    /**
     * Waits until no thread named {@code migration-} is alive: {@code close()} returns once the migration ended,
     * which a thread may reach a moment before it exits.
     */
    private static void awaitMigrationThreadsEnded() throws InterruptedException {
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("migration-")) {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
    }

    /** {@return each open descriptor of this process with what it points to, from {@code /proc/self/fd}} */
    private static Set<String> fileDescriptors() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.map(fd -> {
                try {
                    return fd.getFileName() + " -> " + Files.readSymbolicLink(fd);
                } catch (IOException e) {
                    // The descriptor Files.list itself used for the directory is gone by now.
                    return null;
                }
            }).filter(entry -> entry != null).collect(Collectors.toCollection(TreeSet::new));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static Set<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** {@return {@code VmRSS} from {@code /proc/self/status} in bytes, right after a full GC} */
    private static long residentBytes() throws IOException {
        System.gc();
        String line = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("VmRSS:")).findFirst().orElseThrow();
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
    }
}
