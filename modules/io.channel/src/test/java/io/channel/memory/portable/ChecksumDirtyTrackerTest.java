package io.channel.memory.portable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.memory.DirtyTracker;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ChecksumDirtyTrackerTest {

    private static final long PAGE = DirtyTracker.PAGE_SIZE;

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void closeArena() {
        arena.close();
    }

    private static void write(MemorySegment memory, long offset, int value) {
        memory.set(ValueLayout.JAVA_BYTE, offset, (byte) value);
    }

    @Test
    void exactlyTheWrittenPagesAreDirty() throws Exception {
        MemorySegment memory = arena.allocate(16 * PAGE, PAGE);
        try (DirtyTracker tracker = new ChecksumDirtyTrackerProvider().track(memory)) {
            tracker.arm();
            write(memory, 3 * PAGE, 1);
            write(memory, 7 * PAGE + 4095, 1);
            write(memory, 8 * PAGE + 17, 1);

            assertThat(tracker.sync()).hasToString("[3,4) [7,9)");
        }
    }

    @Test
    void onlyThePagesWrittenAgainAreDirtyAfterASync() throws Exception {
        MemorySegment memory = arena.allocate(16 * PAGE, PAGE);
        try (DirtyTracker tracker = new ChecksumDirtyTrackerProvider().track(memory)) {
            tracker.arm();
            write(memory, 3 * PAGE, 1);
            write(memory, 7 * PAGE, 1);
            tracker.sync();
            write(memory, 3 * PAGE, 2);

            assertThat(tracker.sync()).hasToString("[3,4)");
            assertThat(tracker.sync().isEmpty()).isTrue();
        }
    }

    @Test
    void aPageWrittenBackToItsBytesAtTheLastSyncIsDirtyWhenWhatWasSentDiffers() throws Exception {
        MemorySegment memory = arena.allocate(4 * PAGE, PAGE);
        try (DirtyTracker tracker = new ChecksumDirtyTrackerProvider().track(memory)) {
            tracker.arm();
            write(memory, PAGE, 9);
            CRC32C sent = new CRC32C();
            sent.update(memory.asSlice(PAGE, PAGE).asByteBuffer());
            tracker.recordSent(1, (int) sent.getValue());
            write(memory, PAGE, 0);

            assertThat(tracker.sync()).hasToString("[1,2)");
        }
    }

    @Test
    void aPageChangedSinceTheSyncIsDirtyEvenWhenTheSentChecksumAlreadyHasTheChange() throws Exception {
        // A sender takes a page's CRC32C after its write returned: a change that lands between the two is in the
        // CRC but not in what went out. The change since the sync must still make the page dirty.
        MemorySegment memory = arena.allocate(4 * PAGE, PAGE);
        try (DirtyTracker tracker = new ChecksumDirtyTrackerProvider().track(memory)) {
            tracker.arm();
            write(memory, 2 * PAGE, 5);
            CRC32C taken = new CRC32C();
            taken.update(memory.asSlice(2 * PAGE, PAGE).asByteBuffer());
            tracker.recordSent(2, (int) taken.getValue());

            assertThat(tracker.sync()).hasToString("[2,3)");
            assertThat(tracker.sync()).hasToString("none");
        }
    }

    @Test
    void aPageChangedAndChangedBackAroundASendIsDirtyWhenTheSentChecksumIsOfTheBytesSent() throws Exception {
        // The sender copies the page, the writer changes it and changes it back, the copy goes out: the page
        // holds what it held at the sync, the peer holds the copy.
        MemorySegment memory = arena.allocate(4 * PAGE, PAGE);
        try (DirtyTracker tracker = new ChecksumDirtyTrackerProvider().track(memory)) {
            tracker.arm();
            write(memory, PAGE + 8, 1);
            MemorySegment copy = arena.allocate(PAGE, PAGE).copyFrom(memory.asSlice(PAGE, PAGE));
            write(memory, PAGE + 8, 0);
            CRC32C sent = new CRC32C();
            sent.update(copy.asByteBuffer());
            tracker.recordSent(1, (int) sent.getValue());

            assertThat(tracker.sync()).hasToString("[1,2)");
        }
    }

    @Test
    void itComparesContentsSoItsSendersMustRecordTheBytesTheySent() throws Exception {
        try (DirtyTracker tracker = new ChecksumDirtyTrackerProvider().track(arena.allocate(PAGE, PAGE))) {
            assertThat(tracker.comparesContents()).isTrue();
        }
    }

    @Test
    void aChangeInAShortLastPageIsSeen() throws Exception {
        MemorySegment memory = arena.allocate(2 * PAGE + 1, PAGE);
        try (DirtyTracker tracker = new ChecksumDirtyTrackerProvider().track(memory)) {
            tracker.arm();
            write(memory, 2 * PAGE, 5);

            assertThat(tracker.sync()).hasToString("[2,3)");
        }
    }

    @Test
    void reportedPagesAreAddedToThoseFound() throws Exception {
        MemorySegment memory = arena.allocate(8 * PAGE, PAGE);
        try (DirtyTracker tracker = new ChecksumDirtyTrackerProvider().track(memory)) {
            tracker.arm();
            write(memory, 0, 1);
            tracker.markDirty(PAGE, 1);
            tracker.markDirty(5 * PAGE, 1);

            assertThat(tracker.sync()).hasToString("[0,2) [5,6)");
        }
    }

    @Test
    void heapMemoryIsTrackedToo() throws Exception {
        MemorySegment memory = MemorySegment.ofArray(new byte[(int) (3 * PAGE)]);
        try (DirtyTracker tracker = new ChecksumDirtyTrackerProvider().track(memory)) {
            tracker.arm();
            write(memory, 2 * PAGE + 1, 1);

            assertThat(tracker.sync()).hasToString("[2,3)");
        }
    }

    @Test
    void syncBeforeArmFailsSayingToArm() throws Exception {
        try (DirtyTracker tracker = new ChecksumDirtyTrackerProvider().track(arena.allocate(PAGE, PAGE))) {
            assertThatThrownBy(tracker::sync)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("dirty tracker 'portable' was not armed: call arm() before sync()");
        }
    }

    @Test
    void closeIsIdempotentAndSyncAfterCloseFails() throws Exception {
        DirtyTracker tracker = new ChecksumDirtyTrackerProvider().track(arena.allocate(PAGE, PAGE));
        tracker.arm();
        tracker.close();
        tracker.close();

        assertThat(tracker.isClosed()).isTrue();
        assertThatThrownBy(tracker::sync).isInstanceOf(IllegalStateException.class)
                .hasMessage("dirty tracker 'portable' is closed");
    }

    @Test
    void reportsAfterCloseAreIgnored() throws Exception {
        DirtyTracker tracker = new ChecksumDirtyTrackerProvider().track(arena.allocate(PAGE, PAGE));
        tracker.close();

        assertThatCode(() -> {
            tracker.markDirty(0, 1);
            tracker.recordSent(0, 0);
        }).doesNotThrowAnyException();
    }

    @Test
    void anEmptySegmentIsRefused() {
        assertThatThrownBy(() -> new ChecksumDirtyTrackerProvider().track(MemorySegment.NULL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot track an empty memory segment");
    }
}
