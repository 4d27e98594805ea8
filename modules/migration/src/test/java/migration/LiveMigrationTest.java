package migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.ChannelProviders;
import io.channel.spi.ChannelProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Live migrations with writer threads dirtying random pages, tracked by the portable tracker (the Linux tracker
 * is exercised in the tests module, where io.channel.linux is present). Switchover is driven deterministically:
 * a downtime limit of 0 never switches over while writers run, and the test calls {@code switchover()} once
 * the migration has ended enough rounds.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LiveMigrationTest {

    private static final long MIB = 1024 * 1024;

    /** Never switch over by itself while the writers write: only switchover() ends it. */
    private static final LiveParameters UNTIL_ASKED = LiveParameters.defaults().withDowntimeLimit(Duration.ZERO)
            .withTracker("portable");

    /**
     * The live tests verify the final memory: both sides digest it while the source is paused, so a page that a
     * tracker missed fails the migration instead of passing unnoticed.
     */
    private static MigrationParameters verifyingFinalMemory(int channels) {
        return EndToEndMigrationTest.copying(channels).withVerification(VerifyMode.FINAL);
    }

    private static List<ChannelProvider> providers(String zeroCopy) {
        return switch (zeroCopy) {
            case "off" -> List.of(ChannelProviders.named("copy"));
            case "on" -> List.of(PretendZeroCopyProvider.realZeroCopy());
            default -> List.of(PretendZeroCopyProvider.copiedByKernel());
        };
    }

    private static ZeroCopyMode mode(String zeroCopy) {
        return switch (zeroCopy) {
            case "off" -> ZeroCopyMode.OFF;
            case "on" -> ZeroCopyMode.ON;
            default -> ZeroCopyMode.AUTO;
        };
    }

    /** Waits (a condition, not a time) until the migration has ended {@code rounds} rounds or has ended. */
    private static void awaitRounds(MigrationSource source, int rounds) {
        while (source.stats().dirtySyncCount() < rounds && !source.stats().status().isFinal()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /**
     * Migrates a block live until asked: once the source has ended three rounds, {@code switchover()}; checks
     * that the destination holds the source's final bytes; stops the writers.
     */
    private static MigrationStats migrateLive(RamBlock block, Arena arena, MigrationParameters params,
                                              LiveParameters live, TestWriters writers,
                                              List<ChannelProvider> providers,
                                              java.util.function.Consumer<MigrationSource> started) throws Exception {
        try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                RamBlockProvider.anonymous(arena), MigrationParameters.defaults().withProvider("copy"));
             MigrationSource source = MigrationSource.startLive(destination.localAddress(), List.of(block), params,
                     live, writers, providers)) {
            started.accept(source);
            awaitRounds(source, 3);
            source.switchover();
            MigrationStats stats = source.await();
            destination.await();
            assertThat(destination.blocks().get(0).memory().mismatch(block.memory())).isEqualTo(-1);
            return stats;
        } finally {
            writers.stopAll();
        }
    }

    @ParameterizedTest(name = "zero-copy {0}, {1} writer(s), burst {2}, pause {3} ns")
    @CsvSource({"off, 2, 64, 0", "on, 1, 16, 200000", "auto, 2, 64, 0"})
    void twoHundredFiftySixMebibytesWrittenDuringTheMigrationArriveAsTheirFinalBytes(String zeroCopy, int threads,
            int burst, long pauseNanos) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", 256 * MIB, arena);
            TestMemory.fillMixed(block.memory(), 3);
            TestWriters writers = new TestWriters(block.memory(), threads, burst, pauseNanos).start();
            MigrationParameters params = MigrationParameters.defaults().withChannels(2).withZeroCopy(mode(zeroCopy));
            MigrationStats stats = migrateLive(block, arena, params, UNTIL_ASKED, writers, providers(zeroCopy),
                    source -> { });
            assertThat(stats.verified()).isTrue();
            assertThat(writers.writes.get()).isPositive();
            assertThat(writers.calls).containsExactly("pause:migration-source");
            LiveStats live = stats.live();
            assertThat(live.live()).isTrue();
            assertThat(live.rounds()).hasSizeGreaterThanOrEqualTo(4);
            assertThat(stats.dirtySyncCount()).isEqualTo(live.rounds().size());
            assertThat(live.rounds().getFirst().pagesSent()).isEqualTo(256 * MIB / MigrationProtocol.PAGE_SIZE);
            // Each round before the last sends what the sync before it found; the last adds what the final sync found.
            for (int r = 1; r < live.rounds().size() - 1; r++) {
                assertThat(live.rounds().get(r).pagesSent()).isEqualTo(live.rounds().get(r - 1).dirtyPagesFound());
            }
            assertThat(live.rounds().getLast().pagesSent())
                    .isGreaterThanOrEqualTo(live.rounds().get(live.rounds().size() - 2).dirtyPagesFound());
            assertThat(live.rounds().get(1).dirtyPagesFound()).isPositive();
            assertThat(live.convergence()).isEqualTo("switched over: asked for by switchover()");
            assertThat(live.downtimeMillis()).isNotNegative();
            LiveStats.DowntimePhases phases = live.downtimePhases();
            long[] micros = {phases.pauseHookMicros(), phases.lastSyncMicros(), phases.lastRoundMicros(),
                    phases.completeMicros(), phases.resultMicros()};
            assertThat(Arrays.stream(micros).min().orElseThrow()).as("every phase of the downtime ended").isNotNegative();
            // The phases split the downtime: their sum is it, up to the rounding of each to microseconds.
            assertThat(Arrays.stream(micros).sum() / 1000).isBetween(live.downtimeMillis() - 1,
                    live.downtimeMillis() + 1);
            assertThat(live.trackers()).singleElement()
                    .satisfies(t -> assertThat(t.tracker()).isEqualTo("portable"));
            assertThat(stats.remaining()).isZero();
            if (!zeroCopy.equals("off")) {
                // Zero-copy was asked for, but the portable tracker's pages go out from a copy: every sync of a
                // channel that wrote pages counts, and every round but perhaps the last (the pages dirtied between
                // the last sync and the pause) wrote.
                assertThat(stats.dirtySyncMissedZeroCopy()).isBetween(live.rounds().size() - 1L,
                        2L * live.rounds().size());
                assertThat(stats.zeroCopy().sends()).isZero();
            } else {
                assertThat(stats.dirtySyncMissedZeroCopy()).isZero();
            }
            assertThat(stats.toJson()).contains("\"dirty-pages-rate\":", "\"expected-downtime\":",
                    "\"downtime\":" + live.downtimeMillis(), "\"cpu-throttle-percentage\":0", "\"tracker\":\"portable\"",
                    "\"pages-sent\":" + 256 * MIB / MigrationProtocol.PAGE_SIZE);
        }
    }

    @Test
    void anApplicationThatReportsItsWritesMigratesLiveWithTheApplicationTracker() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", 32 * MIB, arena);
            TestMemory.fillMixed(block.memory(), 4);
            // The writers run from the start but write only once they can report to the source.
            TestWriters writers = new TestWriters(block.memory(), 2, 16, 0);
            writers.hold = true;
            // Round 1 may end before the writers are let go: the switchover then waits for their first write.
            writers.writeBeforePause = true;
            writers.start();
            MigrationStats stats = migrateLive(block, arena, verifyingFinalMemory(2),
                    UNTIL_ASKED.withTracker("application"), writers, null, source -> {
                        writers.reporter = (offset, length) -> source.markDirty("ram0", offset, length);
                        writers.hold = false;
                    });
            assertThat(stats.verified()).isTrue();
            assertThat(stats.live().trackers()).singleElement()
                    .satisfies(t -> assertThat(t.tracker()).isEqualTo("application"));
            assertThat(stats.live().rounds().stream().skip(1).mapToLong(LiveStats.Round::pagesSent).sum())
                    .as("pages the writers reported were sent again after round 1").isPositive();
        }
    }

    @Test
    void reportingAWriteToABlockThatDoesNotExistFailsNamingIt() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", MIB, arena);
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), MigrationParameters.defaults().withProvider("copy"));
                 MigrationSource source = MigrationSource.startLive(destination.localAddress(), List.of(block),
                         verifyingFinalMemory(1), UNTIL_ASKED, new TestWriters(block.memory(), 0, 1, 0))) {
                assertThatThrownBy(() -> source.markDirty("ram1", 0, 8)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("no ram block is named \"ram1\"");
                assertThatThrownBy(() -> source.markDirty("ram0", MIB - 4, 8))
                        .isInstanceOf(IndexOutOfBoundsException.class);
                source.await();
            }
        }
    }

    @Test
    void idleMemorySwitchesOverAfterTheFirstRoundWithinTheDowntimeLimit() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", 8 * MIB, arena);
            TestMemory.fillMixed(block.memory(), 5);
            TestWriters writers = new TestWriters(block.memory(), 0, 1, 0);
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), MigrationParameters.defaults().withProvider("copy"));
                 MigrationSource source = MigrationSource.startLive(destination.localAddress(), List.of(block),
                         verifyingFinalMemory(2), LiveParameters.defaults().withTracker("portable"),
                         writers)) {
                MigrationStats stats = source.await();
                destination.await();
                assertThat(stats.live().rounds()).extracting(LiveStats.Round::pagesSent)
                        .containsExactly(8 * MIB / MigrationProtocol.PAGE_SIZE, 0L);
                // Nothing dirty: only the fixed part is expected, the last sync (the smallest so far, here the
                // only one) and the round trip.
                long syncMillis = stats.live().rounds().getFirst().syncMicros() / 1000;
                assertThat(stats.live().expectedDowntimeMillis()).isGreaterThanOrEqualTo(Math.max(1, syncMillis));
                assertThat(stats.live().convergence()).matches("switched over: expected downtime \\d+ ms, within the"
                        + " downtime limit of \\d+ ms");
                assertThat(stats.verified()).isTrue();
                assertThat(writers.pauses.get()).isEqualTo(1);
            }
        }
    }

    @Test
    void aMigrationWithoutHooksRunsOneRoundAndSaysItIsNotLive() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", MIB, arena);
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), MigrationParameters.defaults().withProvider("copy"));
                 MigrationSource source = MigrationSource.start(destination.localAddress(), List.of(block),
                         verifyingFinalMemory(1))) {
                MigrationStats stats = source.await();
                assertThat(stats.live().live()).isFalse();
                assertThat(stats.live().mode()).startsWith("not live: no pause hook, so one round of every page");
                assertThat(stats.dirtySyncCount()).isEqualTo(1);
                assertThat(stats.toJson()).contains("\"downtime\":-1");
            }
        }
    }

    /** Starts a live migration of 16 MiB whose pause hook also does {@code atPause}; returns its failure. */
    private static MigrationException failAfterPause(TestWriters writers, RamBlock block, Arena arena,
                                                     java.util.function.Consumer<MigrationSource> atPause,
                                                     MemorySegment snapshot) throws Exception {
        AtomicReference<MigrationSource> self = new AtomicReference<>();
        SourceHooks hooks = new SourceHooks() {
            @Override
            public void pause() throws Exception {
                writers.pause();
                MemorySegment.copy(block.memory(), 0, snapshot, 0, block.size());
                atPause.accept(self.get());
            }

            @Override
            public void resume() {
                writers.resume();
            }
        };
        try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                RamBlockProvider.anonymous(arena), MigrationParameters.defaults().withProvider("copy"));
             MigrationSource source = MigrationSource.startLive(destination.localAddress(), List.of(block),
                     verifyingFinalMemory(2), UNTIL_ASKED, hooks)) {
            self.set(source);
            awaitRounds(source, 2);
            source.switchover();
            MigrationException failure = (MigrationException) org.assertj.core.api.Assertions.catchThrowable(
                    source::await);
            assertThat(failure).isNotNull();
            return failure;
        } finally {
            writers.stopAll();
        }
    }

    @Test
    void aCancelAfterThePauseResumesTheWritersWithTheSourceMemoryIntact() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", 16 * MIB, arena);
            TestMemory.fillMixed(block.memory(), 9);
            MemorySegment snapshot = arena.allocate(block.size());
            TestWriters writers = new TestWriters(block.memory(), 1, 16, 0).start();
            MigrationException failure = failAfterPause(writers, block, arena, MigrationSource::cancel, snapshot);
            assertThat(failure.stats().status()).isEqualTo(MigrationStatus.CANCELLED);
            assertThat(writers.calls).containsExactly("pause:migration-source", "resume:migration-source");
            assertThat(block.memory().mismatch(snapshot)).isEqualTo(-1);
            assertThat(MigrationThreads.live()).isEmpty();
        }
    }

    @Test
    void aPauseHookThatFailsFailsTheMigrationAndRunsTheResumeHook() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", 16 * MIB, arena);
            TestMemory.fillMixed(block.memory(), 10);
            MemorySegment snapshot = arena.allocate(block.size());
            TestWriters writers = new TestWriters(block.memory(), 1, 16, 0).start();
            MigrationException failure = failAfterPause(writers, block, arena, source -> {
                throw new IllegalStateException("a writer did not stop");
            }, snapshot);
            assertThat(failure.stats().status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(failure).hasMessage("the source's pause hook failed: java.lang.IllegalStateException: a writer"
                    + " did not stop");
            assertThat(writers.calls).containsExactly("pause:migration-source", "resume:migration-source");
            assertThat(block.memory().mismatch(snapshot)).isEqualTo(-1);
        }
    }

    @Test
    void writersThatOutpaceTheLinkAreThrottledToTheMaximumBeforeTheMigrationSaysItCannotConverge() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", 2 * MIB, arena);
            TestMemory.fillMixed(block.memory(), 13);
            // Even at 99% the writers dirty every page of the block many times over during a round of 500 ms.
            TestWriters writers = new TestWriters(block.memory(), 1, 64, 0).start();
            LiveParameters live = UNTIL_ASKED.withAutoConverge(true).withMaxRounds(4);
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), MigrationParameters.defaults().withProvider("copy"));
                 MigrationSource source = MigrationSource.startLive(destination.localAddress(), List.of(block),
                         verifyingFinalMemory(1).withMaxBandwidth(4 * MIB), live, writers)) {
                // max-rounds (4) is reached at 30%: the throttle still rises every round to 99%, runs there for two
                // rounds, and only then does the migration give up.
                assertThatThrownBy(source::await).isInstanceOf(MigrationException.class)
                        .hasMessageStartingWith("the migration ")
                        .hasMessageContaining("with the writers throttled at the maximum of 99% for 2 rounds")
                        .satisfies(e -> assertThat(((MigrationException) e).stats().status())
                                .isEqualTo(MigrationStatus.FAILED));
                MigrationStats stats = source.stats();
                assertThat(stats.live().cpuThrottlePercentage()).isEqualTo(99);
                assertThat(stats.live().convergence()).startsWith("cannot converge: the migration ");
                assertThat(stats.live().rounds()).hasSize(13);
                assertThat(stats.toJson()).contains("\"cpu-throttle-percentage\":99");
            } finally {
                writers.stopAll();
            }
            // Throttled after every round from round 2 on (QEMU's trigger, then one step per round past max-rounds),
            // never paused, and unthrottled when the migration gave up.
            assertThat(writers.calls).containsExactly("throttle 20:migration-source", "throttle 30:migration-source",
                    "throttle 40:migration-source", "throttle 50:migration-source", "throttle 60:migration-source",
                    "throttle 70:migration-source", "throttle 80:migration-source", "throttle 90:migration-source",
                    "throttle 99:migration-source", "throttle 0:migration-source");
        }
    }

    @Test
    void aFlushErrorAtTheSyncAfterARoundFailsTheMigration() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", 4 * MIB, arena);
            TestMemory.fillMixed(block.memory(), 12);
            // One channel: its first flush (right after its first zero-copy write) succeeds, the one at the SYNC
            // that ends round 1 fails. A sender that swallowed it would complete the migration.
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), MigrationParameters.defaults().withProvider("copy"));
                 MigrationSource source = MigrationSource.start(destination.localAddress(), List.of(block),
                         MigrationParameters.defaults().withChannels(1).withZeroCopy(ZeroCopyMode.ON),
                         List.of(PretendZeroCopyProvider.flushFailsAfter(1)))) {
                assertThatThrownBy(source::await).isInstanceOf(MigrationException.class)
                        .hasMessageContaining("multifd channel 0")
                        .hasMessageContaining("a zero-copy completion reported an error (pretend)");
                assertThat(source.stats().status()).isEqualTo(MigrationStatus.FAILED);
                assertThat(source.stats().dirtySyncCount()).isZero();
            }
        }
    }
}
