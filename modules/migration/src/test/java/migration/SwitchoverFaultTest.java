package migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import migration.protocol.FrameType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The network fails at each step of a live switchover (a proxy between the two sides cuts the main channel at a
 * chosen frame): whatever happens, at most one side ends up owning the memory (the source resumes its application,
 * or the destination completes), and each side says which case it is in.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SwitchoverFaultTest {

    private static final long MIB = 1024 * 1024;
    private static final Duration SWITCHOVER_TIMEOUT = Duration.ofSeconds(1);

    /** What each side reported. */
    private record Outcome(MigrationStats source, MigrationException sourceError, MigrationStats destination,
                           MigrationException destinationError, TestWriters writers) {

        void assertAtMostOneOwner() {
            boolean sourceRuns = source.ownership() == Ownership.SOURCE;
            boolean destinationRuns = destination.ownership() == Ownership.DESTINATION;
            assertThat(sourceRuns && destinationRuns).as("both sides own the memory").isFalse();
            // The source resumes exactly when it keeps the memory; it never reports UNKNOWN.
            assertThat(writers.resumes.get()).isEqualTo(sourceRuns ? 1 : 0);
            assertThat(source.ownership()).isNotEqualTo(Ownership.UNKNOWN);
            // The destination completes exactly when it owns the memory.
            assertThat(destination.status() == MigrationStatus.COMPLETED).isEqualTo(destinationRuns);
        }
    }

    private static Outcome migrateThrough(FrameType trigger, boolean fromSource, CuttingProxy.Cut cut)
            throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", 4 * MIB, arena);
            TestMemory.fillMixed(block.memory(), 7);
            TestWriters writers = new TestWriters(block.memory(), 0, 1, 0);
            MigrationParameters params = EndToEndMigrationTest.copying(2).withSwitchoverTimeout(SWITCHOVER_TIMEOUT);
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), params);
                 CuttingProxy proxy = new CuttingProxy(destination.localAddress(), trigger, fromSource, cut);
                 MigrationSource source = MigrationSource.startLive(proxy.address(), List.of(block), params,
                         LiveParameters.defaults().withTracker("portable"), writers)) {
                MigrationException sourceError = failure(source);
                MigrationException destinationError = failure(destination);
                assertThat(proxy.cutHappened()).as("the proxy cut at " + trigger).isTrue();
                assertThat(writers.pauses.get()).isOne();
                return new Outcome(source.stats(), sourceError, destination.stats(), destinationError, writers);
            }
        }
    }

    private static MigrationException failure(Migration migration) {
        try {
            migration.await();
            return null;
        } catch (MigrationException e) {
            return e;
        }
    }

    @Test
    void aCutBeforeCompleteArrivesLeavesTheSourceOwningAndResumed() throws Exception {
        Outcome outcome = migrateThrough(FrameType.COMPLETE, true, CuttingProxy.Cut.DROP_AND_CLOSE);

        outcome.assertAtMostOneOwner();
        assertThat(outcome.source().ownership()).isEqualTo(Ownership.SOURCE);
        assertThat(outcome.source().status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(outcome.destination().ownership()).isEqualTo(Ownership.SOURCE);
        assertThat(outcome.destination().status()).isEqualTo(MigrationStatus.FAILED);
    }

    @Test
    void aCutAfterCompleteBeforeTheResultArrivesLeavesTheSourceOwningAndTheDestinationUnsure() throws Exception {
        Outcome outcome = migrateThrough(FrameType.RESULT, false, CuttingProxy.Cut.DROP_AND_CLOSE);

        outcome.assertAtMostOneOwner();
        assertThat(outcome.source().ownership()).isEqualTo(Ownership.SOURCE);
        assertThat(outcome.writers().calls).endsWith("resume:migration-source");
        // The destination answered with a yes and then lost the source: it cannot know whether a COMMIT was lost.
        assertThat(outcome.destination().ownership()).isEqualTo(Ownership.UNKNOWN);
        assertThat(outcome.destinationError()).hasMessageContaining("ownership is unknown");
    }

    @Test
    void aCutThatLosesTheCommitCompletesTheSourceAndLeavesTheDestinationUnsureAndInactive() throws Exception {
        Outcome outcome = migrateThrough(FrameType.COMMIT, true, CuttingProxy.Cut.DROP_AND_CLOSE);

        outcome.assertAtMostOneOwner();
        assertThat(outcome.sourceError()).isNull();
        assertThat(outcome.source().ownership()).isEqualTo(Ownership.DESTINATION);
        assertThat(outcome.destination().ownership()).isEqualTo(Ownership.UNKNOWN);
        assertThat(outcome.destination().status()).isEqualTo(MigrationStatus.FAILED);
    }

    @Test
    void aCutAfterTheCommitArrivedCompletesBothWithTheDestinationOwning() throws Exception {
        Outcome outcome = migrateThrough(FrameType.COMMIT, true, CuttingProxy.Cut.PASS_AND_CLOSE);

        outcome.assertAtMostOneOwner();
        assertThat(outcome.sourceError()).isNull();
        assertThat(outcome.destinationError()).isNull();
        assertThat(outcome.source().ownership()).isEqualTo(Ownership.DESTINATION);
        assertThat(outcome.destination().ownership()).isEqualTo(Ownership.DESTINATION);
        assertThat(outcome.writers().resumes.get()).isZero();
    }

    @Test
    void aResultLostInASilentNetworkEndsTheSourceAtTheSwitchoverTimeoutResumed() throws Exception {
        Outcome outcome = migrateThrough(FrameType.RESULT, false, CuttingProxy.Cut.DROP_AND_BLACK_HOLE);

        outcome.assertAtMostOneOwner();
        assertThat(outcome.sourceError()).hasMessageStartingWith("the destination did not send its RESULT after"
                + " COMPLETE within 1 s; the source keeps the memory and resumes the application");
        assertThat(outcome.source().ownership()).isEqualTo(Ownership.SOURCE);
        assertThat(outcome.destinationError()).hasMessageStartingWith("the source did not send COMMIT after this"
                + " side's RESULT within 2 s; ownership is unknown");
        assertThat(outcome.destination().ownership()).isEqualTo(Ownership.UNKNOWN);
    }

    @Test
    void aCommitLostInASilentNetworkCompletesTheSourceAndEndsTheDestinationUnsureAtTheTimeout() throws Exception {
        Outcome outcome = migrateThrough(FrameType.COMMIT, true, CuttingProxy.Cut.DROP_AND_BLACK_HOLE);

        outcome.assertAtMostOneOwner();
        assertThat(outcome.source().ownership()).isEqualTo(Ownership.DESTINATION);
        assertThat(outcome.destination().ownership()).isEqualTo(Ownership.UNKNOWN);
        assertThat(outcome.destinationError()).hasMessageContaining("within 2 s");
    }

    @Test
    void aDestinationThatNeverAcknowledgesARoundFailsTheSourceAtTheRoundTimeoutWithoutAPause() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", 4 * MIB, arena);
            TestWriters writers = new TestWriters(block.memory(), 0, 1, 0);
            MigrationParameters params = EndToEndMigrationTest.copying(1).withRoundTimeout(Duration.ofSeconds(1));
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), params);
                 CuttingProxy proxy = new CuttingProxy(destination.localAddress(), FrameType.ROUND_RECEIVED, false,
                         CuttingProxy.Cut.DROP_ONLY);
                 MigrationSource source = MigrationSource.startLive(proxy.address(), List.of(block), params,
                         LiveParameters.defaults().withTracker("portable"), writers)) {
                // The destination keeps sending heartbeats: only the round timeout can end this wait.
                assertThatThrownBy(source::await).hasMessageStartingWith("the destination did not send"
                        + " ROUND_RECEIVED for round 1 (every page of the round in its memory) within 1 s");
                assertThat(source.ownership()).isEqualTo(Ownership.SOURCE);
                assertThat(writers.pauses.get()).isZero();
                assertThat(writers.resumes.get()).isZero();
                assertThatThrownBy(destination::await).hasMessageContaining("ROUND_RECEIVED for round 1");
                assertThat(destination.ownership()).isEqualTo(Ownership.SOURCE);
            }
        }
    }

    @Test
    void aDestinationThatHeartbeatsButNeverAnswersCompleteFailsTheSourceAtTheSwitchoverTimeout() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", 4 * MIB, arena);
            MigrationParameters params = EndToEndMigrationTest.copying(1).withSwitchoverTimeout(Duration.ofSeconds(1));
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), params);
                 CuttingProxy proxy = new CuttingProxy(destination.localAddress(), FrameType.RESULT, false,
                         CuttingProxy.Cut.DROP_ONLY);
                 MigrationSource source = MigrationSource.start(proxy.address(), List.of(block), params)) {
                assertThatThrownBy(source::await).hasMessageStartingWith("the destination did not send its RESULT"
                        + " after COMPLETE within 1 s; the source keeps the memory (a destination activates only on"
                        + " the COMMIT");
                assertThat(source.ownership()).isEqualTo(Ownership.SOURCE);
                // The source said ERROR before it let go: the destination knows the source kept the memory.
                assertThatThrownBy(destination::await).hasMessageContaining("did not send its RESULT");
                assertThat(destination.ownership()).isEqualTo(Ownership.SOURCE);
            }
        }
    }

    @Test
    void aSwitchoverThatFailsAfterThrottlingStopsTheThrottleBeforeResuming() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", 2 * MIB, arena);
            TestMemory.fillMixed(block.memory(), 13);
            // Writers that outpace a 4 MiB/s link: auto-converge throttles them from round 2 on.
            TestWriters writers = new TestWriters(block.memory(), 1, 64, 0).start();
            LiveParameters live = LiveParameters.defaults().withTracker("portable").withDowntimeLimit(Duration.ZERO)
                    .withAutoConverge(true).withMaxRounds(1000);
            MigrationParameters params = EndToEndMigrationTest.copying(1).withMaxBandwidth(4 * MIB);
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), params);
                 CuttingProxy proxy = new CuttingProxy(destination.localAddress(), FrameType.COMPLETE, true,
                         CuttingProxy.Cut.DROP_AND_CLOSE);
                 MigrationSource source = MigrationSource.startLive(proxy.address(), List.of(block), params, live,
                         writers)) {
                Conditions.await("the writers throttled", Duration.ofSeconds(30), () -> !writers.throttles.isEmpty());
                source.switchover();
                assertThatThrownBy(source::await).isInstanceOf(MigrationException.class);
                assertThat(source.ownership()).isEqualTo(Ownership.SOURCE);
            } finally {
                writers.stopAll();
            }
            // As QEMU does whatever the outcome: the throttle stops, then the application resumes.
            List<String> calls = writers.calls;
            assertThat(calls.subList(calls.indexOf("pause:migration-source"), calls.size()))
                    .containsExactly("pause:migration-source", "throttle 0:migration-source",
                            "resume:migration-source");
        }
    }
}
