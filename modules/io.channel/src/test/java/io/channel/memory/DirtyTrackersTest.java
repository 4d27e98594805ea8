package io.channel.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.memory.portable.ApplicationDirtyTrackerProvider;
import io.channel.memory.portable.ChecksumDirtyTrackerProvider;
import testkit.RecordingLogger;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DirtyTrackersTest {

    /** A provider that is available or not, and refuses regions or not, as told. */
    record StubProvider(String name, int priority, Throwable unavailabilityCause, String refusal)
            implements DirtyTrackerProvider {

        @Override
        public DirtyTracker track(MemorySegment memory) throws DirtyTrackingRefusedException {
            if (refusal != null) {
                throw new DirtyTrackingRefusedException(refusal, null);
            }
            return new ApplicationDirtyTrackerProvider().track(memory);
        }
    }

    private static final DirtyTrackerProvider PORTABLE = new ChecksumDirtyTrackerProvider();
    private static final DirtyTrackerProvider APPLICATION = new ApplicationDirtyTrackerProvider();
    private static final StubProvider KERNEL = new StubProvider("kernel", 100, null, null);
    private static final StubProvider OLD_KERNEL = new StubProvider("old-kernel", 100,
            new UnsupportedOperationException("PAGEMAP_SCAN needs Linux 6.7"), null);

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void closeArena() {
        arena.close();
    }

    @Test
    void theHighestPriorityAvailableProviderIsChosen() {
        var selection = DirtyTrackers.select(List.of(PORTABLE, KERNEL, APPLICATION), null);

        assertThat(selection.chosen()).isSameAs(KERNEL);
        assertThat(selection.forced()).isFalse();
    }

    @Test
    void aProviderWithANegativePriorityIsNeverChosenOnItsOwn() {
        var selection = DirtyTrackers.select(List.of(APPLICATION, PORTABLE), null);

        assertThat(selection.chosen()).isSameAs(PORTABLE);
        assertThat(selection.describe()).isEqualTo("using dirty tracker 'portable'");
    }

    @Test
    void anUnavailableProviderIsPassedOverWithItsCause() {
        var selection = DirtyTrackers.select(List.of(PORTABLE, OLD_KERNEL), null);

        assertThat(selection.chosen()).isSameAs(PORTABLE);
        assertThat(selection.describe()).isEqualTo(
                "using dirty tracker 'portable'; passed over 'old-kernel': PAGEMAP_SCAN needs Linux 6.7");
    }

    @Test
    void aNamedProviderIsUsedEvenWithANegativePriority() {
        var selection = DirtyTrackers.select(List.of(PORTABLE, APPLICATION), "application");

        assertThat(selection.chosen()).isSameAs(APPLICATION);
        assertThat(selection.describe()).contains("forced by -Dio.channel.dirty.tracker=application");
    }

    @Test
    void anUnknownNameFailsListingTheProvidersFound() {
        assertThatThrownBy(() -> DirtyTrackers.select(List.of(PORTABLE, KERNEL), "nope"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("-Dio.channel.dirty.tracker=nope names no dirty tracker; found: [kernel, portable]");
    }

    @Test
    void aNamedButUnavailableProviderFailsWithItsCause() {
        assertThatThrownBy(() -> DirtyTrackers.select(List.of(PORTABLE, OLD_KERNEL), "old-kernel"))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessage("dirty tracker 'old-kernel' is unavailable: PAGEMAP_SCAN needs Linux 6.7");
    }

    @Test
    void passingOverAProviderIsLoggedOnceAtInfo() {
        RecordingLogger log = new RecordingLogger();
        StubProvider broken = new StubProvider("broken-once", 50, new UnsupportedOperationException("no uffd"), null);

        DirtyTrackers.selectAndLog(List.of(PORTABLE, broken), null, log);
        DirtyTrackers.selectAndLog(List.of(PORTABLE, broken), null, log);

        assertThat(log.infoLines()).containsExactly("using dirty tracker 'portable'; passed over 'broken-once': no uffd");
    }

    @Test
    void aRegionTheChosenProviderRefusesIsTrackedByTheFallbackWhichSaysWhy() throws Exception {
        RecordingLogger log = new RecordingLogger();
        StubProvider refusing = new StubProvider("picky", 100, null, "hugetlbfs mappings are not supported");

        try (DirtyTracker tracker = DirtyTrackers.track(refusing, PORTABLE, arena.allocate(4096, 4096), log)) {
            assertThat(tracker.providerName()).isEqualTo("portable");
            assertThat(tracker.fallbackCause()).isInstanceOf(DirtyTrackingRefusedException.class)
                    .hasMessage("'picky' refused the region: hugetlbfs mappings are not supported");
            assertThat(tracker.describe()).isEqualTo(
                    "portable ('picky' refused the region: hugetlbfs mappings are not supported)");
            assertThat(log.infoLines()).containsExactly("dirty tracker 'picky' refused the region: hugetlbfs mappings"
                    + " are not supported; tracking it with 'portable', which reads the whole region at each sync");
        }
    }

    @Test
    void aRegionTheChosenProviderTakesHasNoFallbackCause() throws Exception {
        try (DirtyTracker tracker = DirtyTrackers.track(KERNEL, PORTABLE, arena.allocate(4096, 4096),
                new RecordingLogger())) {
            assertThat(tracker.fallbackCause()).isNull();
            assertThat(tracker.describe()).isEqualTo("application");
        }
    }

    @Test
    void theModuleShipsThePortableAndApplicationProviders() {
        assertThat(DirtyTrackers.all()).extracting(DirtyTrackerProvider::name)
                .contains("portable", "application");
    }

    @Test
    void aNamedTrackerIsMadeByThatProvider() throws Exception {
        try (DirtyTracker tracker = DirtyTrackers.track(arena.allocate(4096, 4096), "application")) {
            assertThat(tracker.providerName()).isEqualTo("application");
        }
    }
}
