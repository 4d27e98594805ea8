package migration.session;

import io.channel.memory.PageMemory;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Faults fresh destination memory in ahead of the receiving threads, so that they find their pages present
 * and the first-touch cost (a fault and the zeroing of each page) leaves the receive path.
 *
 * <p>The source sends a block's pages in ascending order, handing packets to its channels in turn, so the
 * receivers advance through the blocks (in HELLO order) roughly together; {@code frontier} is how many bytes
 * of RAM the receivers have covered so far. The prefaulter walks the same order in {@value #CHUNK}-byte chunks
 * with {@link PageMemory#populate} ({@code madvise(MADV_POPULATE_WRITE)} on Linux), never behind the frontier
 * (what the receivers passed they already faulted in themselves) and at most {@value #AHEAD} bytes ahead
 * of it, so it does not compete for the CPU long before the pages are needed. It populates the blocks it is
 * told to: fresh memory, and writable file mappings, which the receivers write whole (a fresh shared mapping
 * of a file is faulted in one page at a time even where the file's pages exist). Caller memory is skipped.
 * Where the memory provider cannot populate, it stops at once.
 */
final class Prefaulter implements Runnable {

    /** Bytes per populate call. */
    static final long CHUNK = 32L << 20;
    /** How far ahead of the receivers it may run. */
    static final long AHEAD = 512L << 20;

    private final List<MemorySegment> blocks;
    private final List<Boolean> fresh;
    private final LongSupplier frontier;
    private final BooleanSupplier stopping;
    private volatile long populated;

    /**
     * @param blocks   the destination blocks, in HELLO order
     * @param fresh    per block, whether to populate it (fresh memory, a writable file mapping)
     * @param frontier bytes of RAM the receivers have covered, in HELLO order
     * @param stopping whether the migration is ending
     */
    Prefaulter(List<MemorySegment> blocks, List<Boolean> fresh, LongSupplier frontier, BooleanSupplier stopping) {
        this.blocks = List.copyOf(blocks);
        this.fresh = List.copyOf(fresh);
        this.frontier = frontier;
        this.stopping = stopping;
    }

    /** {@return bytes populated so far} */
    long populated() {
        return populated;
    }

    @Override
    public void run() {
        long base = 0;
        for (int b = 0; b < blocks.size(); b++) {
            MemorySegment block = blocks.get(b);
            long size = block.byteSize();
            if (fresh.get(b)) {
                long offset = 0;
                while (offset < size) {
                    if (stopping.getAsBoolean()) {
                        return;
                    }
                    long done = frontier.getAsLong() - base;
                    if (done >= size) {
                        break;
                    }
                    if (done > offset) {
                        // The receivers are ahead: what they passed is present already.
                        offset = Math.min(size, (done + CHUNK - 1) / CHUNK * CHUNK);
                        continue;
                    }
                    if (offset - done > AHEAD) {
                        Thread.onSpinWait();
                        java.util.concurrent.locks.LockSupport.parkNanos(200_000);
                        continue;
                    }
                    long length = Math.min(CHUNK, size - offset);
                    if (!PageMemory.populate(block.asSlice(offset, length))) {
                        return;
                    }
                    populated += length;
                    offset += length;
                }
            }
            base += size;
        }
    }
}
