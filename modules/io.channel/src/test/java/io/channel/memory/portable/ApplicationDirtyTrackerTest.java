package io.channel.memory.portable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.memory.DirtyPages;
import io.channel.memory.DirtyTracker;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ApplicationDirtyTrackerTest {

    private static final long PAGE = DirtyTracker.PAGE_SIZE;

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void closeArena() {
        arena.close();
    }

    private DirtyTracker armed(long pages) throws Exception {
        DirtyTracker tracker = new ApplicationDirtyTrackerProvider().track(arena.allocate(pages * PAGE, PAGE));
        tracker.arm();
        return tracker;
    }

    @Test
    void exactlyTheReportedPagesAreDirty() throws Exception {
        try (DirtyTracker tracker = armed(16)) {
            tracker.markDirty(3 * PAGE + 100, 1);
            tracker.markDirty(7 * PAGE, 2 * PAGE);

            assertThat(tracker.sync()).hasToString("[3,4) [7,9)");
        }
    }

    @Test
    void aReportedPageIsNotReportedAgainByTheNextSync() throws Exception {
        try (DirtyTracker tracker = armed(16)) {
            tracker.markDirty(3 * PAGE, 1);
            tracker.sync();

            assertThat(tracker.sync().isEmpty()).isTrue();
        }
    }

    @Test
    void itDoesNotCompareContentsSoItsRegionsAreSentFromTheMemoryItself() throws Exception {
        try (DirtyTracker tracker = armed(1)) {
            assertThat(tracker.comparesContents()).isFalse();
        }
    }

    @Test
    void aWriteAcrossAPageBoundaryMarksBothPages() throws Exception {
        try (DirtyTracker tracker = armed(4)) {
            tracker.markDirty(PAGE - 1, 2);

            assertThat(tracker.sync()).hasToString("[0,2)");
        }
    }

    @Test
    void reportsSpanningManyBitmapWordsComeBackAsOneRange() throws Exception {
        try (DirtyTracker tracker = armed(300)) {
            tracker.markDirty(60 * PAGE, 150 * PAGE);
            tracker.markDirty(299 * PAGE, 1);

            assertThat(tracker.sync()).hasToString("[60,210) [299,300)");
        }
    }

    @Test
    void aRunEndingAtTheLastPageOfAFullWordIsClosed() throws Exception {
        try (DirtyTracker tracker = armed(128)) {
            tracker.markDirty(100 * PAGE, 28 * PAGE);

            assertThat(tracker.sync()).hasToString("[100,128)");
        }
    }

    @Test
    void reportsMadeBeforeTheArmAreDropped() throws Exception {
        try (DirtyTracker tracker = new ApplicationDirtyTrackerProvider().track(arena.allocate(4 * PAGE, PAGE))) {
            tracker.markDirty(0, 1);
            tracker.arm();

            assertThat(tracker.sync().isEmpty()).isTrue();
        }
    }

    @Test
    void aReportOutsideTheRegionFailsNamingTheBounds() throws Exception {
        try (DirtyTracker tracker = armed(2)) {
            assertThatThrownBy(() -> tracker.markDirty(2 * PAGE - 1, 2))
                    .isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessageContaining(String.valueOf(2 * PAGE));
        }
    }

    @Test
    void aShortLastPageCountsAsAPage() throws Exception {
        MemorySegment memory = arena.allocate(PAGE + 10, PAGE);
        try (DirtyTracker tracker = new ApplicationDirtyTrackerProvider().track(memory)) {
            tracker.arm();
            tracker.markDirty(PAGE + 9, 1);

            assertThat(tracker.pageCount()).isEqualTo(2);
            assertThat(tracker.sync()).hasToString("[1,2)");
        }
    }

    @Test
    @Timeout(60)
    void reportsRacingWithSyncsLandInOneSyncOrTheNext() throws Exception {
        int pages = 4096;
        try (DirtyTracker tracker = armed(pages)) {
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                int first = w;
                writers.add(Thread.ofPlatform().start(() -> {
                    for (int page = first; page < pages; page += 8) {
                        tracker.markDirty(page * PAGE, 1);
                    }
                }));
            }
            DirtyPages seen = DirtyPages.none(pages);
            while (writers.stream().anyMatch(Thread::isAlive)) {
                seen = seen.union(tracker.sync());
            }
            for (Thread writer : writers) {
                writer.join();
            }
            seen = seen.union(tracker.sync());

            DirtyPages.Builder expected = DirtyPages.builder(pages);
            for (int page = 0; page < pages; page += 8) {
                expected.add(page, page + 4);
            }
            assertThat(seen).isEqualTo(expected.build());
        }
    }
}
