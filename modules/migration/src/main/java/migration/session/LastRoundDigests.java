package migration.session;

import io.channel.memory.DirtyPages;
import java.util.ArrayList;
import java.util.List;
import migration.multifd.BlockDigestUpdate;
import migration.multifd.PageDigests;

/**
 * The blocks' digests for COMPLETE, computed mostly before the pause: the fold of every page's CRC runs while the
 * application still runs ({@link #before}), and in the downtime window only the pages the last round sends again
 * count ({@link BlockDigestUpdate}): their old CRCs just before the round, their new ones after it. The result is
 * the fold of every page's entry after the last round, as {@link PageDigests#blockCrc()} would compute it.
 * The control thread's only.
 */
final class LastRoundDigests {

    private final List<PageDigests> digests;
    private final int[] before;
    private final List<BlockDigestUpdate> updates = new ArrayList<>();
    private List<DirtyPages> rewritten;
    private final List<int[]> oldCrcs = new ArrayList<>();

    private LastRoundDigests(List<PageDigests> digests, int[] before, List<Long> sizes) {
        this.digests = digests;
        this.before = before;
        for (long size : sizes) {
            updates.add(new BlockDigestUpdate(size));
        }
    }

    /**
     * Folds every block's page CRCs as they are now, with no round running: before the pause.
     *
     * @param digests per block, the CRC of every page as last sent
     * @param sizes   per block, its size in bytes
     * @return the digests, awaiting the last round
     */
    static LastRoundDigests before(List<PageDigests> digests, List<Long> sizes) {
        int[] folded = new int[digests.size()];
        for (int b = 0; b < folded.length; b++) {
            folded[b] = digests.get(b).blockCrc();
        }
        return new LastRoundDigests(digests, folded, sizes);
    }

    /**
     * Records the CRCs of the pages the last round is about to send again, before it starts.
     *
     * @param pages per block, the pages the last round sends
     */
    void lastRound(List<DirtyPages> pages) {
        rewritten = pages;
        for (int b = 0; b < pages.size(); b++) {
            PageDigests crcs = digests.get(b);
            DirtyPages dirty = pages.get(b);
            int[] old = new int[Math.toIntExact(dirty.dirtyPageCount())];
            int at = 0;
            // Loops, not forEachRange: a lambda's first use links it, milliseconds of the downtime.
            for (int range = 0; range < dirty.rangeCount(); range++) {
                for (long page = dirty.start(range); page < dirty.end(range); page++) {
                    old[at++] = crcs.crc(page);
                }
            }
            oldCrcs.add(old);
        }
    }

    /** {@return every block's CRC32C after the last round} Call once, after it ended. */
    int[] after() {
        int[] result = new int[before.length];
        for (int b = 0; b < result.length; b++) {
            PageDigests crcs = digests.get(b);
            BlockDigestUpdate update = updates.get(b);
            int[] old = oldCrcs.get(b);
            DirtyPages dirty = rewritten.get(b);
            int at = 0;
            for (int range = 0; range < dirty.rangeCount(); range++) {
                for (long page = dirty.start(range); page < dirty.end(range); page++) {
                    update.rewritten(page, old[at++], crcs.crc(page));
                }
            }
            result[b] = update.apply(before[b]);
        }
        return result;
    }
}
