package tests.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import migration.MigrationDestination;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationSource;
import migration.MigrationStatus;
import migration.RamBlock;
import migration.RamBlockProvider;
import migration.ZeroCopyMode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testkit.Tier;
import tests.LinuxProvider;
import tests.Memories;

/**
 * Migrations that end early with the Linux provider and zero-copy writes in flight: cancel on either side, and a
 * source process killed mid-transfer. Nothing outside the block may change, the source's memory is never
 * touched, and no migration thread is left.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Tier.ChildJvm
class InterruptedMigrationTest {

    private static final long SIZE = 128L << 20;
    private static final long GUARD = 1L << 20;
    /** Slow enough that the transfer is surely still running when the test acts. */
    private static final long RATE = 32L << 20;

    @BeforeEach
    void linuxOnly() {
        LinuxProvider.required();
    }

    /** Waits, bounded, until {@code progress} passes {@code bytes}; each wait is on the destination itself. */
    private static void awaitProgress(MigrationDestination destination, LongSupplier progress, long bytes)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (progress.getAsLong() < bytes) {
            assertThat(System.nanoTime()).as("transfer reached %d bytes within 60 s", bytes).isLessThan(deadline);
            assertThat(destination.await(Duration.ofMillis(20))).as("destination ended early: %s",
                    destination.stats()).isFalse();
        }
    }

    private static MemorySegment guarded(Arena arena) {
        MemorySegment whole = arena.allocate(SIZE + 2 * GUARD, 4096);
        whole.fill((byte) 0x5A);
        return whole;
    }

    private static void assertGuardsIntact(MemorySegment whole) {
        for (MemorySegment guard : List.of(whole.asSlice(0, GUARD), whole.asSlice(GUARD + SIZE, GUARD))) {
            for (long i = 0; i < guard.byteSize(); i += 8) {
                assertThat(guard.get(java.lang.foreign.ValueLayout.JAVA_LONG, i)).isEqualTo(0x5A5A5A5A5A5A5A5AL);
            }
        }
    }

    /** What a test does once a throttled zero-copy migration from {@code source} into {@code target} is under way. */
    private interface MidTransfer {
        void run(MigrationSource source, MigrationDestination destination) throws Exception;
    }

    /** Starts the migration, waits until 8 MiB have moved, runs {@code action}, and closes both sides. */
    private static void midTransfer(MemorySegment source, MemorySegment target, MidTransfer action) throws Exception {
        MigrationParameters params = MigrationParameters.defaults().withChannels(2).withZeroCopy(ZeroCopyMode.ON)
                .withMaxBandwidth(RATE);
        try (MigrationDestination destination = MigrationDestination.listen(new InetSocketAddress("127.0.0.1", 0),
                RamBlockProvider.fixed(List.of(RamBlock.of("ram0", target.asSlice(GUARD, SIZE)))), params);
             MigrationSource sourceSide = MigrationSource.start(destination.localAddress(),
                     List.of(RamBlock.of("ram0", source)), params)) {
            awaitProgress(destination, () -> destination.stats().transferred(), 8L << 20);
            action.run(sourceSide, destination);
        }
    }

    @Test
    void cancellingTheSourceMidTransferCancelsBothSidesAndLeavesTheSourceUntouched() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment source = arena.allocate(SIZE, 4096);
            Memories.fill(source, 5);
            MemorySegment pristine = arena.allocate(SIZE, 4096);
            pristine.copyFrom(source);
            MemorySegment target = guarded(arena);
            midTransfer(source, target, (sourceSide, destination) -> {
                sourceSide.cancel();

                MigrationException sourceEnd = assertThrows(MigrationException.class, sourceSide::await);
                MigrationException destinationEnd = assertThrows(MigrationException.class, destination::await);
                assertThat(sourceEnd.stats().status()).isEqualTo(MigrationStatus.CANCELLED);
                assertThat(destinationEnd.stats().status()).isEqualTo(MigrationStatus.CANCELLED);
            });
            assertThat(source.mismatch(pristine)).isEqualTo(-1);
            assertGuardsIntact(target);
        }
        assertThat(MigrationThreadsLeft.names()).isEmpty();
    }

    @Test
    void cancellingTheDestinationMidTransferEndsTheSourceToo() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment source = arena.allocate(SIZE, 4096);
            Memories.fill(source, 6);
            MemorySegment target = guarded(arena);
            midTransfer(source, target, (sourceSide, destination) -> {
                destination.cancel();

                MigrationException destinationEnd = assertThrows(MigrationException.class, destination::await);
                MigrationException sourceEnd = assertThrows(MigrationException.class, sourceSide::await);
                assertThat(destinationEnd.stats().status()).isEqualTo(MigrationStatus.CANCELLED);
                assertThat(sourceEnd.stats().status()).isIn(MigrationStatus.CANCELLED, MigrationStatus.FAILED);
            });
            assertGuardsIntact(target);
        }
        assertThat(MigrationThreadsLeft.names()).isEmpty();
    }

    @Test
    void aSourceProcessKilledMidTransferFailsTheDestinationWithinSeconds() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment target = guarded(arena);
            try (MigrationDestination destination = MigrationDestination.listen(new InetSocketAddress("127.0.0.1", 0),
                    RamBlockProvider.fixed(List.of(RamBlock.of("ram0", target.asSlice(GUARD, SIZE)))),
                    MigrationParameters.defaults());
                 Peers.Peer source = Peers.start(Peers.modulePath(), "send",
                         Integer.toString(destination.localAddress().getPort()), Long.toString(SIZE), "9", "2", "on",
                         Long.toString(RATE))) {
                awaitProgress(destination, () -> destination.stats().transferred(), 8L << 20);

                source.process.destroyForcibly();
                long killed = System.nanoTime();

                MigrationException failure = assertThrows(MigrationException.class, destination::await);
                assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killed)).as("seconds to notice")
                        .isLessThan(15);
                assertThat(failure.stats().status()).isEqualTo(MigrationStatus.FAILED);
                assertThat(failure.getMessage()).isNotBlank();
            }
            assertGuardsIntact(target);
        }
        assertThat(MigrationThreadsLeft.names()).isEmpty();
    }
}
