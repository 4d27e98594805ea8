package migration.multifd;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import migration.MigrationProtocol;

/**
 * The CRC32C of each normal page of one packet, computed as the packet's payload moves: after every partial
 * write (sender) or read (receiver) the channel thread hands in how many payload bytes are done, and this
 * folds exactly those bytes into the current page's CRC, recording each page in the block's
 * {@link PageDigests} as it completes.
 *
 * <p>Why as the bytes move and not in a pass of its own: the kernel's copy between the socket and the
 * memory has just pulled those bytes into this CPU's cache (the source memory into the send path, the
 * destination memory out of the receive path), so the CRC reads them from the cache. A CRC pass before the
 * send or after the whole packet reads them from main memory instead, at a fraction of the speed, and was most of
 * what verification cost (docs/design/zero-copy.md). (A zero-copy send copies
 * nothing at the call, so there the CRC reads the pages from memory, as any pass would.)
 *
 * <p>The payload is the packet's normal pages in the order of their offsets in the header (PROTOCOL.md §3.2),
 * each a whole page except a block's short last page; their offsets come as a {@code long[]} the caller decoded
 * from the header in one bulk copy. One instance per channel thread. The CRC reads through {@link ByteBuffer}
 * views of the block ({@link CRC32C} takes no {@code MemorySegment}), one per 1 GiB window, made for every block
 * when the channel starts, so that digesting allocates nothing per page or per packet.
 */
final class PayloadDigest {

    private static final int PAGE = MigrationProtocol.PAGE_SIZE;
    /** A view covers this much of a block: pages are aligned, so none straddles two views. */
    private static final int WINDOW_SHIFT = 30;
    private static final long WINDOW = 1L << WINDOW_SHIFT;

    private final CRC32C crc = new CRC32C();

    /** Every block's views of its 1 GiB windows, by block index. */
    private final ByteBuffer[][] windows;
    private final MemorySegment[] blocks;
    private PageDigests digests;
    private MemorySegment block;
    /** The current block's views. */
    private ByteBuffer[] views;
    private long[] offsets;
    private int normal;
    /** Where the payload from {@link #stagedFrom} on is, instead of the block; {@code null}: in the block. */
    private ByteBuffer staged;
    private long stagedFrom;
    /** The page being digested, as an index into the normal pages. */
    private int page;
    /** Payload bytes before the current page. */
    private long pageStart;
    /** Payload bytes folded in so far. */
    private long done;

    /**
     * Makes the views of every window of every block at once, as the channel starts. Made when a block's first
     * packet starts instead, they cost a branch that a packet takes only at the start of a migration (and made
     * lazily per window, one a packet takes only past 1 GiB): C2 compiles the per-packet code without it, and a
     * migration that takes it then throws that code away (an {@code unstable_if} trap in every fresh migration
     * of a process whose code was compiled by an earlier one, seen with {@code -XX:+LogCompilation}).
     *
     * @param blocks the migration's blocks' memory, by index
     */
    PayloadDigest(MemorySegment[] blocks) {
        this.blocks = blocks.clone();
        this.windows = new ByteBuffer[blocks.length][];
        for (int b = 0; b < blocks.length; b++) {
            MemorySegment memory = blocks[b];
            ByteBuffer[] made = new ByteBuffer[(int) ((memory.byteSize() + WINDOW - 1) >>> WINDOW_SHIFT)];
            for (int index = 0; index < made.length; index++) {
                long start = (long) index << WINDOW_SHIFT;
                made[index] = memory.asSlice(start, Math.min(WINDOW, memory.byteSize() - start)).asByteBuffer();
            }
            windows[b] = made;
        }
    }

    /**
     * Starts a packet.
     *
     * @param digests where the pages' CRCs go; {@code null} when not verifying (then {@link #advance} does
     *                nothing)
     * @param index   the block's index, as given to the constructor
     * @param offsets the normal pages' offsets in the block, from index 0 (kept, not copied)
     * @param normal  how many normal pages the packet carries
     */
    void start(PageDigests digests, int index, long[] offsets, int normal) {
        this.digests = digests;
        this.block = blocks[index];
        this.views = windows[index];
        this.offsets = offsets;
        this.normal = normal;
        this.page = 0;
        this.pageStart = 0;
        this.done = 0;
        this.staged = null;
        crc.reset();
    }

    /**
     * Says that the payload bytes from {@code payloadFrom} on are read into {@code buffer}, from its index 0, and
     * not into the block's memory (a receiver that writes the block's file from a staging buffer), or written from
     * it (a sender that sends a copy of the pages). Call at a page boundary of the payload, before the
     * {@link #advance} calls that cover those bytes.
     *
     * @param buffer      holds the bytes; its position and limit are this digest's to change
     * @param payloadFrom the payload byte at the buffer's index 0
     */
    void stagedIn(ByteBuffer buffer, long payloadFrom) {
        this.staged = buffer;
        this.stagedFrom = payloadFrom;
    }

    /**
     * Folds in the payload bytes up to {@code payloadDone}, which the kernel has just copied.
     *
     * @param payloadDone payload bytes written or read so far in this packet, never fewer than before
     */
    void advance(long payloadDone) {
        if (digests == null) {
            return;
        }
        while (done < payloadDone && page < normal) {
            long offset = offsets[page];
            long length = Math.min(PAGE, block.byteSize() - offset);
            long from = done - pageStart;
            long to = Math.min(length, payloadDone - pageStart);
            ByteBuffer view = staged != null ? staged : view(offset);
            int at = staged != null ? (int) (pageStart - stagedFrom) : (int) (offset & (WINDOW - 1));
            crc.update(view.limit(at + (int) to).position(at + (int) from));
            done = pageStart + to;
            if (to == length) {
                digests.record(offset / PAGE, (int) crc.getValue());
                crc.reset();
                pageStart += length;
                page++;
            }
        }
    }

    /** {@return the view of the window of the current block that holds the page at {@code offset}} */
    private ByteBuffer view(long offset) {
        return views[(int) (offset >>> WINDOW_SHIFT)];
    }

    /** {@return whether every normal page of the packet has been recorded} */
    boolean complete() {
        return digests == null || page == normal;
    }
}
