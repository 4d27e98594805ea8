package tests;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.zip.CRC32C;
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
 * {@code zero-copy-reason=...}, {@code provider=...}, {@code error=...}.
 *
 * <pre>
 * receive SIZE
 * send PORT SIZE SEED CHANNELS on|auto|off [MAX_BANDWIDTH]
 * </pre>
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

    private static long crc(MemorySegment memory) {
        CRC32C crc = new CRC32C();
        long chunk = 1L << 30;
        for (long offset = 0; offset < memory.byteSize(); offset += chunk) {
            crc.update(memory.asSlice(offset, Math.min(chunk, memory.byteSize() - offset)).asByteBuffer());
        }
        return crc.getValue();
    }
}
