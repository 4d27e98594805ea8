package consumer;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.SplittableRandom;
import migration.MigrationDestination;
import migration.MigrationParameters;
import migration.MigrationSource;
import migration.MigrationStats;
import migration.RamBlock;
import migration.RamBlockProvider;
import migration.ZeroCopyMode;

/**
 * Migrates 16 MiB over loopback through the exported API only, checks every byte, and prints
 * {@code consumer: migrated N bytes, verified=true} and the provider used.
 */
public final class Main {

    private static final long SIZE = 16L << 20;

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        boolean ok;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment memory = arena.allocate(SIZE, 4096);
            SplittableRandom random = new SplittableRandom(SIZE);
            for (long offset = 0; offset < SIZE; offset += Long.BYTES) {
                boolean zeroPage = (offset / 4096) % 4 == 0;
                memory.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, zeroPage ? 0 : random.nextLong());
            }
            // Zero-copy required: only the Linux provider, bound as a service, can do it. (With auto a source on
            // loopback copies, and takes the copying provider.)
            MigrationParameters params = MigrationParameters.defaults().withZeroCopy(ZeroCopyMode.ON);
            InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            try (MigrationDestination destination = MigrationDestination.listen(loopback,
                    RamBlockProvider.anonymous(arena), params);
                 MigrationSource source = MigrationSource.start(destination.localAddress(),
                         List.of(RamBlock.of("ram0", memory)), params)) {
                MigrationStats sent = source.await();
                MigrationStats received = destination.await();
                long mismatch = destination.blocks().get(0).memory().mismatch(memory);
                if (mismatch != -1) {
                    System.out.println("consumer: the received memory differs at byte " + mismatch);
                }
                System.out.println("consumer: migrated " + SIZE + " bytes, verified=" + received.verified());
                System.out.println("consumer: provider " + sent.zeroCopy().provider());
                ok = mismatch == -1 && received.verified();
            }
        }
        System.exit(ok ? 0 : 1);
    }
}
