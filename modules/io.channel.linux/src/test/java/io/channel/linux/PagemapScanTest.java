package io.channel.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.NativeIOException;
import io.channel.linux.internal.gen.errno_h;
import io.channel.linux.internal.gen.fs_h;
import io.channel.linux.internal.gen.page_region;
import io.channel.linux.internal.gen.pm_scan_arg;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The {@code PAGEMAP_SCAN} loop against a fake pagemap: decoding, {@code walk_end} continuation, failures. */
class PagemapScanTest {

    private static final long PAGE = PagemapScan.PAGE;
    /** Where the fake range starts: any page-aligned address; the fake never dereferences it. */
    private static final long BASE = 0x7f00_0000_0000L;

    private final Arena arena = Arena.ofConfined();

    @AfterEach
    void closeArena() {
        arena.close();
    }

    /**
     * A pagemap that knows which pages were written, behaves like the kernel's PAGEMAP_SCAN with
     * PM_SCAN_WP_MATCHING (reports runs of written pages, at most vec_len of them, stops at the first run that does
     * not fit and says where in walk_end, and clears what it reported), and records every argument it saw.
     */
    @SuppressWarnings("restricted") // like the kernel, the fake writes where the scan argument's vec points
    static final class FakePagemap implements PagemapScan.Call {
        final BitSet written = new BitSet();
        final List<long[]> calls = new ArrayList<>();
        /** Runs are also cut at these pages, as at a VMA boundary. */
        final BitSet cuts = new BitSet();

        @Override
        public long ioctl(MemorySegment arg) {
            long start = pm_scan_arg.start(arg);
            long end = pm_scan_arg.end(arg);
            long vecLength = pm_scan_arg.vec_len(arg);
            calls.add(new long[] {start, end, vecLength, pm_scan_arg.size(arg), pm_scan_arg.flags(arg),
                    pm_scan_arg.category_mask(arg), pm_scan_arg.return_mask(arg)});
            MemorySegment vec = MemorySegment.ofAddress(pm_scan_arg.vec(arg))
                    .reinterpret(vecLength * page_region.layout().byteSize());
            int page = (int) ((start - BASE) / PAGE);
            int last = (int) ((end - BASE) / PAGE);
            int found = 0;
            while (page < last) {
                int runStart = written.nextSetBit(page);
                if (runStart < 0 || runStart >= last) {
                    page = last;
                    break;
                }
                if (found == vecLength) {
                    page = runStart;
                    break;
                }
                int runEnd = Math.min(written.nextClearBit(runStart), last);
                int cut = cuts.nextSetBit(runStart + 1);
                if (cut > 0 && cut < runEnd) {
                    runEnd = cut;
                }
                MemorySegment region = page_region.asSlice(vec, found++);
                page_region.start(region, BASE + runStart * PAGE);
                page_region.end(region, BASE + runEnd * PAGE);
                page_region.categories(region, fs_h.PAGE_IS_WRITTEN());
                written.clear(runStart, runEnd);
                page = runEnd;
            }
            pm_scan_arg.walk_end(arg, BASE + page * PAGE);
            return found;
        }
    }

    private static final PagemapScan.Failure FAILURE = (call, errno) ->
            new NativeIOException(call, errno, call + " failed: errno " + errno);

    private PagemapScan scan(long pages, int regions) {
        return new PagemapScan(BASE, BASE + pages * PAGE, regions, arena);
    }

    private static List<String> run(PagemapScan scan, PagemapScan.Call call) throws IOException {
        List<String> runs = new ArrayList<>();
        scan.scan(call, FAILURE, (start, end) -> runs.add("[" + start + "," + end + ")"));
        return runs;
    }

    @Test
    void theWrittenPagesComeBackAsPageRangesOfTheRange() throws Exception {
        FakePagemap pagemap = new FakePagemap();
        pagemap.written.set(3);
        pagemap.written.set(7, 9);

        assertThat(run(scan(16, 8), pagemap)).containsExactly("[3,4)", "[7,9)");
        assertThat(pagemap.calls).hasSize(1);
    }

    @Test
    void theArgumentAsksToReportAndReprotectWrittenPagesOnly() throws Exception {
        FakePagemap pagemap = new FakePagemap();

        run(scan(16, 8), pagemap);

        long[] arg = pagemap.calls.getFirst();
        assertThat(arg[0]).isEqualTo(BASE);
        assertThat(arg[1]).isEqualTo(BASE + 16 * PAGE);
        assertThat(arg[2]).isEqualTo(8);
        assertThat(arg[3]).as("size").isEqualTo(96);
        assertThat(arg[4]).as("flags").isEqualTo(
                fs_h.PM_SCAN_WP_MATCHING() | fs_h.PM_SCAN_CHECK_WPASYNC());
        assertThat(arg[5]).as("category_mask").isEqualTo(fs_h.PAGE_IS_WRITTEN());
        assertThat(arg[6]).as("return_mask").isEqualTo(fs_h.PAGE_IS_WRITTEN());
    }

    @Test
    void aFullRegionBufferIsContinuedFromWalkEndUntilTheRangeIsDone() throws Exception {
        FakePagemap pagemap = new FakePagemap();
        for (int page = 1; page < 64; page += 4) {
            pagemap.written.set(page, page + 2);
        }

        List<String> runs = run(scan(64, 3), pagemap);

        assertThat(runs).hasSize(16).startsWith("[1,3)", "[5,7)").endsWith("[61,63)");
        assertThat(pagemap.calls).hasSize(6);
        assertThat(pagemap.calls.get(1)[0]).as("second call starts at the first unreported run")
                .isEqualTo(BASE + 13 * PAGE);
        assertThat(pagemap.written.isEmpty()).as("every written page was read and re-protected").isTrue();
    }

    @Test
    void aRunSplitByTheKernelReachesTheCallerAsAdjacentRanges() throws Exception {
        FakePagemap pagemap = new FakePagemap();
        pagemap.written.set(2, 10);
        pagemap.cuts.set(6);

        assertThat(run(scan(16, 1), pagemap)).containsExactly("[2,6)", "[6,10)");
    }

    @Test
    void nothingWrittenTakesOneCallAndReportsNothing() throws Exception {
        FakePagemap pagemap = new FakePagemap();

        assertThat(run(scan(1024, 8), pagemap)).isEmpty();
        assertThat(pagemap.calls).hasSize(1);
    }

    @Test
    void aFailedIoctlFailsAtOnceWithoutRetrying() {
        int eperm = errno_h.EPERM();
        List<MemorySegment> calls = new ArrayList<>();
        PagemapScan.Call failing = arg -> {
            calls.add(arg);
            return -eperm;
        };

        assertThatThrownBy(() -> run(scan(16, 8), failing))
                .isInstanceOf(NativeIOException.class)
                .hasMessage("ioctl(PAGEMAP_SCAN) failed: errno " + eperm);
        assertThat(calls).hasSize(1);
    }

    @Test
    void anInterruptedIoctlIsNotRetriedEither() {
        int eintr = errno_h.EINTR();

        assertThatThrownBy(() -> run(scan(16, 8), arg -> -eintr)).isInstanceOf(NativeIOException.class);
    }

    @Test
    void aWalkEndBeyondTheRangeIsAnError() {
        PagemapScan.Call beyond = arg -> {
            pm_scan_arg.walk_end(arg, BASE + 17 * PAGE);
            return 0;
        };

        assertThatThrownBy(() -> run(scan(16, 8), beyond))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("walk_end 0x" + Long.toHexString(BASE + 17 * PAGE));
    }

    @Test
    @SuppressWarnings("restricted") // the fake answer is written where the scan argument's vec points
    void aRegionOutsideTheScannedRangeIsAnError() {
        PagemapScan.Call outside = arg -> {
            MemorySegment region = MemorySegment.ofAddress(pm_scan_arg.vec(arg)).reinterpret(24);
            page_region.start(region, BASE - PAGE);
            page_region.end(region, BASE + PAGE);
            pm_scan_arg.walk_end(arg, pm_scan_arg.end(arg));
            return 1;
        };

        assertThatThrownBy(() -> run(scan(16, 8), outside))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("outside the scanned");
    }

    @Test
    void aScanThatMakesNoProgressFailsInsteadOfLoopingForever() {
        PagemapScan.Call stuck = arg -> {
            pm_scan_arg.walk_end(arg, pm_scan_arg.start(arg));
            return 0;
        };

        assertThatThrownBy(() -> run(scan(16, 8), stuck))
                .isInstanceOf(IOException.class)
                .hasMessage("ioctl(PAGEMAP_SCAN) made no progress at 0x" + Long.toHexString(BASE));
    }

    @Test
    void anUnalignedRangeIsRefused() {
        assertThatThrownBy(() -> new PagemapScan(BASE + 1, BASE + PAGE, 8, arena))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("page-aligned");
    }
}
