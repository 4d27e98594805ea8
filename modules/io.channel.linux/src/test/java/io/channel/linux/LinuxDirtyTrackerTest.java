package io.channel.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.channel.memory.DirtyPages;
import io.channel.memory.DirtyTracker;
import io.channel.memory.DirtyTrackers;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The kernel tracker on real memory of this process. Skips where the kernel tracker is unavailable. */
class LinuxDirtyTrackerTest {

    private static final long PAGE = 4096;

    private final LinuxDirtyTrackerProvider provider = new LinuxDirtyTrackerProvider();
    private final Arena arena = Arena.ofShared();

    @BeforeEach
    void kernelTrackerOnly() {
        Throwable cause = provider.unavailabilityCause();
        assumeTrue(cause == null, () -> "kernel dirty tracker unavailable: " + cause);
        // Descriptors are counted here: the once-per-process handover rehearsal, which making handover memory
        // starts, runs and ends first (it opens sockets and a memfd meanwhile).
        HandoverRehearsal.startOnce();
        HandoverRehearsal.awaitEnd();
    }

    @AfterEach
    void closeArena() {
        arena.close();
    }

    private static void write(MemorySegment memory, long page) {
        memory.set(ValueLayout.JAVA_BYTE, page * PAGE + 17, (byte) (memory.get(ValueLayout.JAVA_BYTE, page * PAGE + 17) + 1));
    }

    /** Writes pages 3, 7 and 8, then 3 again: the probe of the measured facts, on any memory. */
    private void exactlyTheWrittenPagesAndNoneTwice(MemorySegment memory) throws Exception {
        try (DirtyTracker tracker = provider.track(memory)) {
            tracker.arm();
            write(memory, 3);
            write(memory, 7);
            write(memory, 8);

            assertThat(tracker.sync()).hasToString("[3,4) [7,9)");

            write(memory, 3);

            assertThat(tracker.sync()).hasToString("[3,4)");
            assertThat(tracker.sync()).hasToString("none");
        }
    }

    @Test
    void untouchedAnonymousMemoryReportsExactlyTheWrittenPagesAndNoneTwice() throws Exception {
        exactlyTheWrittenPagesAndNoneTwice(new LinuxMemoryProvider().allocate(16 * PAGE, false, arena));
    }

    @Test
    void populatedAnonymousMemoryReportsExactlyTheWrittenPagesAndNoneTwice() throws Exception {
        MemorySegment memory = arena.allocate(16 * PAGE, PAGE);
        memory.fill((byte) 1);

        exactlyTheWrittenPagesAndNoneTwice(memory);
    }

    @Test
    void aSharedTmpfsFileMappingReportsExactlyTheWrittenPagesAndNoneTwice() throws Exception {
        Path shm = Path.of("/dev/shm");
        assumeTrue(Files.isDirectory(shm), "no /dev/shm");
        Path file = Files.createTempFile(shm, "dirty-tracker", ".bin");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // MapMode.READ_WRITE is MAP_SHARED; the mapping grows the file to its size.
            MemorySegment memory = channel.map(FileChannel.MapMode.READ_WRITE, 0, 16 * PAGE, arena);

            exactlyTheWrittenPagesAndNoneTwice(memory);
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void memoryBackedByTransparentHugePagesIsTrackedPageByPage() throws Exception {
        // MADV_HUGEPAGE and MADV_POPULATE_WRITE: 2 MiB pages where THP is enabled. A write fault on a
        // write-protected huge page with WP_ASYNC splits it (mm/huge_memory.c), so tracking stays 4 KiB exact.
        MemorySegment memory = new LinuxMemoryProvider().allocate(4L << 20, true, arena);
        new LinuxMemoryProvider().populate(memory);
        assumeTrue(Smaps.kib(memory.address(), "AnonHugePages") > 0,
                "no transparent huge pages here (/sys/kernel/mm/transparent_hugepage/enabled)");
        try (DirtyTracker tracker = provider.track(memory)) {
            tracker.arm();
            write(memory, 3);
            write(memory, 700);

            assertThat(tracker.sync()).hasToString("[3,4) [700,701)");
        }
    }

    @Test
    void pagesRearmedBeforeASyncAreNotReported() throws Exception {
        MemorySegment memory = new LinuxMemoryProvider().allocate(8 * PAGE, false, arena);
        try (DirtyTracker tracker = provider.track(memory)) {
            tracker.arm();
            write(memory, 1);
            tracker.arm();
            write(memory, 2);

            assertThat(tracker.sync()).hasToString("[2,3)");
        }
    }

    @Test
    void manyScatteredPagesAreAllReportedAcrossSeveralScans() throws Exception {
        long pages = 4 * PagemapScan.DEFAULT_REGIONS;
        MemorySegment memory = new LinuxMemoryProvider().allocate(pages * PAGE, false, arena);
        try (DirtyTracker tracker = provider.track(memory)) {
            tracker.arm();
            DirtyPages.Builder expected = DirtyPages.builder(pages);
            for (long page = 0; page < pages; page += 2) {
                write(memory, page);
                expected.add(page, page + 1);
            }

            assertThat(tracker.sync()).isEqualTo(expected.build());
        }
    }

    @Test
    @Timeout(60)
    void writesRacingWithSyncsAreReportedByOneSyncOrTheNext() throws Exception {
        int pages = 8192;
        MemorySegment memory = new LinuxMemoryProvider().allocate(pages * PAGE, false, arena);
        try (DirtyTracker tracker = provider.track(memory)) {
            tracker.arm();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                int first = w;
                writers.add(Thread.ofPlatform().start(() -> {
                    for (long page = first; page < pages; page += 3) {
                        write(memory, page);
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
            for (long page = 0; page < pages; page += 3) {
                expected.add(page, Math.min(page + 2, pages));
            }
            assertThat(seen).isEqualTo(expected.build());
        }
    }

    @Test
    @Timeout(30)
    void bytesTheKernelReceivesIntoTrackedMemoryAreSeen() throws Exception {
        MemorySegment memory = new LinuxMemoryProvider().allocate(8 * PAGE, false, arena);
        try (DirtyTracker tracker = provider.track(memory);
             ServerSocketChannel server = ServerSocketChannel.open()
                     .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel sender = SocketChannel.open(server.getLocalAddress());
             SocketChannel receiver = server.accept()) {
            tracker.arm();
            sender.write(ByteBuffer.wrap(new byte[100]).put(0, (byte) 42));

            // A direct buffer over the tracked memory: read(2) writes into it from the kernel.
            ByteBuffer target = memory.asSlice(5 * PAGE, 100).asByteBuffer();
            while (target.hasRemaining()) {
                receiver.read(target);
            }

            assertThat(memory.get(ValueLayout.JAVA_BYTE, 5 * PAGE)).isEqualTo((byte) 42);
            assertThat(tracker.sync()).hasToString("[5,6)");
        }
    }

    @Test
    void memoryThatIsNotPageAlignedIsTrackedByThePortableTrackerWhichSaysWhy() throws Exception {
        MemorySegment memory = arena.allocate(4 * PAGE + 8, PAGE).asSlice(8);
        try (DirtyTracker tracker = DirtyTrackers.track(memory, provider)) {
            assertThat(tracker.providerName()).isEqualTo("portable");
            assertThat(tracker.describe()).contains("'linux' refused the region").contains("not page-aligned");
        }
    }

    @Test
    void heapMemoryIsTrackedByThePortableTrackerWhichSaysWhy() throws Exception {
        MemorySegment memory = MemorySegment.ofArray(new byte[(int) (2 * PAGE)]);
        try (DirtyTracker tracker = DirtyTrackers.track(memory, provider)) {
            assertThat(tracker.providerName()).isEqualTo("portable");
            assertThat(tracker.fallbackCause()).hasMessageContaining("heap memory");
        }
    }

    @Test
    void trackersLeaveNoDescriptorOpenOnceClosed() throws Exception {
        long before = openDescriptors();
        MemorySegment memory = new LinuxMemoryProvider().allocate(4 * PAGE, false, arena);
        for (int i = 0; i < 20; i++) {
            DirtyTracker tracker = provider.track(memory);
            tracker.arm();
            tracker.close();
            tracker.close();
        }

        assertThat(openDescriptors()).isEqualTo(before);
    }

    @Test
    void theKernelTrackerIsTheOneChosenHere() {
        assertThat(DirtyTrackers.select().chosen().name()).isEqualTo("linux");
    }

    private static long openDescriptors() throws IOException {
        try (var entries = Files.list(Path.of("/proc/self/fd"))) {
            return entries.count();
        }
    }
}
