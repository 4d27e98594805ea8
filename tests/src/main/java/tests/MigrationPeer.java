package tests;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;
import migration.LiveParameters;
import migration.LiveStats;
import migration.MigrationDestination;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationSource;
import migration.MigrationStats;
import migration.RamBlock;
import migration.RamBlockProvider;
import migration.ZeroCopyMode;

/**
 * One side of a migration in its own JVM, for the cross-process tests. It speaks only through the exported
 * {@code migration} API, like a user's program, and prints key=value lines the tests read:
 * {@code listening=PORT} (destination), then {@code status=...}, {@code crc=...} (CRC32C of the whole block),
 * {@code zero-copy-reason=...}, {@code provider=...}, {@code error=...}; a live source also {@code rounds=...},
 * {@code pages-resent=...} (pages sent by the rounds after the first), {@code tracker=...}, {@code hooks=...},
 * {@code downtime=...}.
 *
 * <pre>
 * receive SIZE
 * send PORT SIZE SEED CHANNELS on|auto|off [MAX_BANDWIDTH]
 * send-live PORT SIZE SEED CHANNELS on|auto|off TRACKER WRITERS
 * </pre>
 *
 * <p>{@code send-live} migrates live while {@link LiveWriters} write the memory without pause (reporting their
 * writes with {@code markDirty}, which the {@code application} tracker needs); with a downtime limit of 0 it
 * would never switch over, so it asks for the switchover once three dirty syncs have run: the rounds are
 * driven, not timed. The {@code crc} it prints is of the memory as the writers left it.
 */
public final class MigrationPeer {

    private MigrationPeer() {
    }

    /**
     * Runs one side.
     *
     * @param args see the class comment
     */
    public static void main(String[] args) {
        try (Arena arena = Arena.ofShared()) {
            switch (args[0]) {
                case "receive" -> receive(Long.parseLong(args[1]), arena);
                case "send" -> send(Integer.parseInt(args[1]), Long.parseLong(args[2]), Long.parseLong(args[3]),
                        Integer.parseInt(args[4]), ZeroCopyMode.parse(args[5]),
                        args.length > 6 ? Long.parseLong(args[6]) : 0, arena);
                case "send-live" -> sendLive(Integer.parseInt(args[1]), Long.parseLong(args[2]),
                        Long.parseLong(args[3]), Integer.parseInt(args[4]), ZeroCopyMode.parse(args[5]), args[6],
                        Integer.parseInt(args[7]), arena);
                default -> throw new IllegalArgumentException("unknown role " + args[0]);
            }
        } catch (MigrationException e) {
            System.out.println("status=" + (e.stats() == null ? "failed" : e.stats().status().jsonName()));
            System.out.println("error=" + e.getMessage());
            System.out.flush();
            System.exit(1);
        }
    }

    private static void receive(long size, Arena arena) throws MigrationException {
        MigrationDestination destination = MigrationDestination.listen(new InetSocketAddress("127.0.0.1", 0),
                RamBlockProvider.anonymous(arena), MigrationParameters.defaults());
        try (destination) {
            System.out.println("listening=" + destination.localAddress().getPort());
            System.out.flush();
            MigrationStats stats = destination.await();
            MemorySegment memory = destination.blocks().getFirst().memory();
            System.out.println("status=" + stats.status().jsonName());
            System.out.println("verified=" + stats.verified());
            System.out.println("bytes=" + memory.byteSize());
            System.out.println("crc=" + crc(memory));
        }
    }

    private static void send(int port, long size, long seed, int channels, ZeroCopyMode mode, long maxBandwidth,
                             Arena arena) throws MigrationException {
        MemorySegment memory = arena.allocate(size, 4096);
        Memories.fill(memory, seed);
        MigrationParameters params = MigrationParameters.defaults().withChannels(channels).withZeroCopy(mode)
                .withMaxBandwidth(maxBandwidth);
        try (MigrationSource source = MigrationSource.start(new InetSocketAddress("127.0.0.1", port),
                List.of(RamBlock.of("ram0", memory)), params)) {
            MigrationStats stats = source.await();
            System.out.println("status=" + stats.status().jsonName());
            System.out.println("verified=" + stats.verified());
            System.out.println("crc=" + crc(memory));
            System.out.println("provider=" + stats.zeroCopy().provider());
            System.out.println("zero-copy-active=" + stats.zeroCopy().active());
            System.out.println("zero-copy-sends=" + stats.zeroCopy().sends());
            System.out.println("zero-copy-reason=" + stats.zeroCopy().reason());
        }
    }

    private static void sendLive(int port, long size, long seed, int channels, ZeroCopyMode mode, String tracker,
                                 int writerCount, Arena arena) throws MigrationException {
        RamBlock block = RamBlock.anonymous("ram0", size, arena);
        Memories.fill(block.memory(), seed);
        MigrationParameters params = MigrationParameters.defaults().withChannels(channels).withZeroCopy(mode);
        LiveParameters live = LiveParameters.defaults().withDowntimeLimit(Duration.ZERO).withTracker(tracker);
        LiveWriters writers = new LiveWriters(block.memory(), writerCount, 0);
        try (MigrationSource source = MigrationSource.startLive(new InetSocketAddress("127.0.0.1", port),
                List.of(block), params, live, writers)) {
            writers.start((offset, length) -> source.markDirty("ram0", offset, length));
            while (source.stats().dirtySyncCount() < 3 && !source.stats().status().isFinal()) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            source.switchover();
            MigrationStats stats = source.await();
            LiveStats rounds = stats.live();
            System.out.println("status=" + stats.status().jsonName());
            System.out.println("verified=" + stats.verified());
            System.out.println("crc=" + crc(block.memory()));
            System.out.println("rounds=" + rounds.rounds().size());
            System.out.println("pages-resent=" + rounds.rounds().stream().skip(1).mapToLong(LiveStats.Round::pagesSent)
                    .sum());
            System.out.println("tracker=" + rounds.trackers().getFirst().tracker());
            System.out.println("downtime=" + rounds.downtimeMillis());
            System.out.println("writes=" + writers.writes());
            System.out.println("hooks=" + String.join(",", writers.calls()));
        } finally {
            try {
                writers.stopAll();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static long crc(MemorySegment memory) {
        CRC32C crc = new CRC32C();
        long chunk = 1L << 30;
        for (long offset = 0; offset < memory.byteSize(); offset += chunk) {
            crc.update(memory.asSlice(offset, Math.min(chunk, memory.byteSize() - offset)).asByteBuffer());
        }
        return crc.getValue();
    }
}
