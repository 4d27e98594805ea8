package migration.multifd;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The migration-wide counters behind {@link migration.MigrationStats}, updated by the channel threads
 * without locks and read by {@code stats()} at any time.
 */
public final class TransferCounters {
    /** Bytes on the multifd channels: init packets, headers and payload. */
    public final LongAdder multifdBytes = new LongAdder();
    /** Pages sent or received with their contents. */
    public final LongAdder normalPages = new LongAdder();
    /** Zero pages, sent or received as offsets only. */
    public final LongAdder duplicatePages = new LongAdder();
    /** Bytes of normal pages (a short last page counts its real length). */
    public final LongAdder normalBytes = new LongAdder();
    /** Bytes of RAM covered by packets so far, normal and zero pages alike. */
    public final LongAdder processedBytes = new LongAdder();
    /** Data packets (not SYNC). */
    public final LongAdder dataPackets = new LongAdder();
    /** Completed rounds. */
    public final AtomicLong dirtySyncCount = new AtomicLong();
    /** Sync-point flushes that found every zero-copy write copied by the kernel. */
    public final AtomicLong dirtySyncMissedZeroCopy = new AtomicLong();

    /** Creates zeroed counters. */
    public TransferCounters() {
    }
}
