package migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Verify {@code final} checks the final memory of both sides, so it catches what dirty tracking missed; verify
 * {@code on} proves only that the pages sent arrived intact.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FinalVerificationTest {

    private static final long MIB = 1024 * 1024;

    /**
     * An application that reports its writes to the application tracker but, in its pause hook, writes one long
     * more without reporting it: a write the tracker cannot see.
     */
    private static final class ForgetfulApplication implements SourceHooks {
        private final MemorySegment memory;
        final AtomicInteger resumes = new AtomicInteger();

        ForgetfulApplication(MemorySegment memory) {
            this.memory = memory;
        }

        @Override
        public void pause() {
            memory.set(ValueLayout.JAVA_LONG_UNALIGNED, 3 * 4096 + 64, ~memory.get(ValueLayout.JAVA_LONG_UNALIGNED,
                    3 * 4096 + 64));
        }

        @Override
        public void resume() {
            resumes.incrementAndGet();
        }
    }

    private static MigrationParameters params(VerifyMode mode) {
        return EndToEndMigrationTest.copying(2).withVerification(mode);
    }

    @Test
    void verifyFinalCatchesAWriteTheDirtyTrackerMissedAndTheSourceKeepsTheMemory() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", 4 * MIB, arena);
            TestMemory.fillMixed(block.memory(), 3);
            ForgetfulApplication application = new ForgetfulApplication(block.memory());
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), params(VerifyMode.FINAL));
                 MigrationSource source = MigrationSource.startLive(destination.localAddress(), List.of(block),
                         params(VerifyMode.FINAL), LiveParameters.defaults().withTracker("application"),
                         application)) {
                assertThatThrownBy(source::await).hasMessageMatching("the destination rejected the migration:"
                        + " \"verification failed: ram block 'ram0': CRC32C 0x[0-9a-f]{8} at the destination but"
                        + " 0x[0-9a-f]{8} at the source \\(of the final memory\\)\"");
                assertThat(source.ownership()).isEqualTo(Ownership.SOURCE);
                assertThat(application.resumes.get()).isOne();
                assertThatThrownBy(destination::await).hasMessageContaining("(of the final memory)");
                assertThat(destination.ownership()).isEqualTo(Ownership.SOURCE);
            }
        }
    }

    @Test
    void verifyOnCannotSeeAWriteTheDirtyTrackerMissed() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", 4 * MIB, arena);
            TestMemory.fillMixed(block.memory(), 3);
            ForgetfulApplication application = new ForgetfulApplication(block.memory());
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), params(VerifyMode.ON));
                 MigrationSource source = MigrationSource.startLive(destination.localAddress(), List.of(block),
                         params(VerifyMode.ON), LiveParameters.defaults().withTracker("application"), application)) {
                assertThat(source.await().verified()).isTrue();
                destination.await();
                // The digests of the pages as sent agree, yet the page the tracker missed is stale.
                assertThat(destination.blocks().getFirst().memory().mismatch(block.memory())).isEqualTo(3 * 4096 + 64);
            }
        }
    }

    @Test
    void verifyFinalCompletesALiveMigrationWhoseTrackerSawEveryWrite() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", 8 * MIB, arena);
            TestMemory.fillMixed(block.memory(), 5);
            TestWriters writers = new TestWriters(block.memory(), 1, 4, 100_000).start();
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), params(VerifyMode.FINAL));
                 MigrationSource source = MigrationSource.startLive(destination.localAddress(), List.of(block),
                         params(VerifyMode.FINAL), LiveParameters.defaults().withTracker("portable"), writers)) {
                MigrationStats sent = source.await();
                MigrationStats received = destination.await();
                assertThat(sent.verified()).isTrue();
                assertThat(received.verified()).isTrue();
                assertThat(sent.verifiedBy()).isEqualTo(VerifiedBy.FINAL_MEMORY);
                assertThat(received.verifiedBy()).isEqualTo(VerifiedBy.FINAL_MEMORY);
                assertThat(destination.blocks().getFirst().memory().mismatch(block.memory())).isEqualTo(-1);
                assertThat(sent.ownership()).isEqualTo(Ownership.DESTINATION);
                assertThat(received.ownership()).isEqualTo(Ownership.DESTINATION);
            } finally {
                writers.stopAll();
            }
        }
    }

    @Test
    void verifyFinalCompletesAMigrationThatIsNotLive() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", 3 * MIB + 4096 + 17, arena);
            TestMemory.fillMixed(block.memory(), 9);
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), params(VerifyMode.FINAL));
                 MigrationSource source = MigrationSource.start(destination.localAddress(), List.of(block),
                         params(VerifyMode.FINAL))) {
                assertThat(source.await().verified()).isTrue();
                assertThat(destination.await().verified()).isTrue();
            }
        }
    }

    @Test
    void aDestinationThatVerifiesTheFinalMemoryRefusesDigestsOfThePagesAsSent() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", MIB, arena);
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), params(VerifyMode.FINAL));
                 MigrationSource source = MigrationSource.start(destination.localAddress(), List.of(block),
                         params(VerifyMode.ON))) {
                assertThatThrownBy(source::await).hasMessageContaining("this destination checks the final memory"
                        + " (verify final), but the source sent digests of the pages as sent");
                assertThatThrownBy(destination::await).isInstanceOf(MigrationException.class);
            }
        }
    }

    @Test
    void theDestinationsLiveStatisticsMatchTheSources() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", 8 * MIB, arena);
            TestMemory.fillMixed(block.memory(), 5);
            TestWriters writers = new TestWriters(block.memory(), 1, 4, 100_000).start();
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), params(VerifyMode.ON));
                 MigrationSource source = MigrationSource.startLive(destination.localAddress(), List.of(block),
                         params(VerifyMode.ON), LiveParameters.defaults().withTracker("portable"), writers)) {
                MigrationStats sent = source.await();
                MigrationStats received = destination.await();
                assertThat(received.live().live()).isTrue();
                assertThat(received.live().mode()).startsWith("live: ");
                assertThat(received.dirtySyncCount()).isEqualTo(sent.dirtySyncCount());
                assertThat(received.live().rounds()).extracting(LiveStats.Round::round)
                        .isEqualTo(sent.live().rounds().stream().map(LiveStats.Round::round).toList());
                assertThat(received.live().rounds()).extracting(LiveStats.Round::pagesSent)
                        .isEqualTo(sent.live().rounds().stream().map(LiveStats.Round::pagesSent).toList());
                assertThat(received.toJson()).contains("\"live\":{\"live\":true");
            } finally {
                writers.stopAll();
            }
        }
    }

    @Test
    void aDestinationOfAMigrationThatIsNotLiveSaysSo() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", MIB, arena);
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), params(VerifyMode.ON));
                 MigrationSource source = MigrationSource.start(destination.localAddress(), List.of(block),
                         params(VerifyMode.ON))) {
                source.await();
                MigrationStats received = destination.await();
                assertThat(received.live().live()).isFalse();
                assertThat(received.live().mode()).isEqualTo("not live: the source sends one round of every page");
                assertThat(received.dirtySyncCount()).isOne();
            }
        }
    }
}
