package tests.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.channel.memory.DirtyTrackerProvider;
import io.channel.memory.DirtyTrackers;
import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import migration.LiveParameters;
import migration.LiveStats;
import migration.MigrationDestination;
import migration.MigrationParameters;
import migration.MigrationSource;
import migration.MigrationStats;
import migration.MigrationStatus;
import migration.RamBlock;
import migration.RamBlockProvider;
import migration.VerifyMode;
import migration.ZeroCopyMode;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tests.LiveWriters;
import tests.Memories;

/**
 * 256 MiB live migrations through the real modules in one JVM (the Linux channel provider and the Linux dirty
 * tracker found through ServiceLoader), with writer threads dirtying random pages at two rates while the
 * memory moves. Switchover is driven, not timed: a downtime limit of 0 never switches over while writers write,
 * and the test calls {@code switchover()} once three rounds have ended.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LiveMigrationAcrossModulesTest {

    private static final long SIZE = 256L << 20;
    private static final long PAGE = 4096;

    static void assumeTracker(String name) {
        DirtyTrackerProvider provider = DirtyTrackers.named(name);
        assumeTrue(provider.isAvailable(), () -> "dirty tracker '" + name + "' unavailable: "
                + provider.unavailabilityCause());
        InProcessMigrationTest.assumeLinuxProvider();
    }

    @ParameterizedTest(name = "tracker {0}, zero-copy {1}, {2} writer(s) pausing {3} ns")
    @CsvSource({"linux, on, 1, 100000", "linux, auto, 2, 0", "linux, off, 1, 0", "portable, on, 2, 0",
            "portable, off, 1, 100000"})
    void theDestinationEndsWithTheSourcesFinalBytesAndTheDigestsVerify(String tracker, String zeroCopy, int writers,
                                                                         long pauseNanos) throws Exception {
        assumeTracker(tracker);
        // Verify final: both sides digest their final memory, so a page any tracker missed fails the migration.
        MigrationParameters params = MigrationParameters.defaults().withChannels(2)
                .withZeroCopy(ZeroCopyMode.parse(zeroCopy)).withVerification(VerifyMode.FINAL);
        LiveParameters live = LiveParameters.defaults().withDowntimeLimit(Duration.ZERO).withTracker(tracker);
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", SIZE, arena);
            Memories.fill(block.memory(), 17);
            LiveWriters hooks = new LiveWriters(block.memory(), writers, pauseNanos);
            hooks.start(LiveWriters.Reporter.NONE);
            MigrationStats sent;
            MigrationStats received;
            try (MigrationDestination destination = MigrationDestination.listen(
                    new InetSocketAddress("127.0.0.1", 0), RamBlockProvider.anonymous(arena), params);
                 MigrationSource source = MigrationSource.startLive(destination.localAddress(), List.of(block),
                         params, live, hooks)) {
                while (source.stats().dirtySyncCount() < 3 && !source.stats().status().isFinal()) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
                }
                source.switchover();
                sent = source.await();
                received = destination.await();
                assertThat(destination.blocks().getFirst().memory().mismatch(block.memory()))
                        .as("first byte where the destination differs from the source's final bytes").isEqualTo(-1);
            } finally {
                hooks.stopAll();
            }
            assertThat(sent.status()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(received.verified()).isTrue();
            assertThat(hooks.calls()).containsExactly("pause");
            LiveStats stats = sent.live();
            assertThat(stats.trackers()).singleElement().satisfies(t -> assertThat(t.tracker()).isEqualTo(tracker));
            // Round 1 (every page), at least one round of dirty pages, the last round. A round that found no dirty
            // page switches over even under a zero limit (nothing is left to send), however slow the writers.
            assertThat(stats.rounds()).hasSizeGreaterThanOrEqualTo(3);
            assertThat(stats.rounds().getFirst().dirtyPagesFound()).isPositive();
            assertThat(stats.downtimeMillis()).isNotNegative();
            if (zeroCopy.equals("on")) {
                // Loopback: the kernel copies every zero-copy write, so the syncs of channels that wrote count.
                assertThat(sent.dirtySyncMissedZeroCopy()).isPositive();
            } else {
                // Off, or auto to loopback, where the source knows the kernel would copy: never asked for.
                assertThat(sent.dirtySyncMissedZeroCopy()).isZero();
            }
        }
    }
}
