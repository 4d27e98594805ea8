package io.channel.memory.portable;

import io.channel.memory.DirtyPages;
import io.channel.memory.DirtyTracker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The portable tracker: a page is dirty when the CRC32C of its bytes differs from the CRC32C it had at the
 * previous sync, or from the one of its bytes as last sent when the sender told ({@link #recordSent}). Both
 * references are kept: the first catches every change since the sync, the second a page written and written
 * back within one round after a different value went out. Each sync reads all the memory (one CRC32C per page,
 * with the CPU's CRC32C instructions through {@link CRC32C} on a direct buffer), so it costs a pass over the
 * region at memory bandwidth, but it needs nothing from the OS and works for any memory.
 *
 * <p>It is exact only if the CRC a sender records is of the bytes the kernel took ({@link #comparesContents()}):
 * the tracker never sees a write, only contents, so a page changed and changed back around a send (a lock word,
 * a reference count) looks unchanged to it. If the sender took the CRC from the region after the send returned,
 * or sent with zero-copy (the kernel then reads the page later still), it would record the page as holding what
 * it held before and after, and this tracker would call it clean while the peer holds the bytes in between. The
 * multifd sender therefore copies such pages into a buffer of its own, takes the CRC of the copy and sends the
 * copy with a copying write.
 *
 * <p>What it cannot see: a page whose bytes hash as they did at the last sync and as they did when last sent
 * (then, with the CRC taken as above, the peer holds them already), and a change that collides in CRC32C (one
 * in 2^32 per changed page).
 */
final class ChecksumDirtyTracker extends DirtyTracker {

    private static final VarHandle CRCS = MethodHandles.arrayElementVarHandle(int[].class);
    /** The most one {@link ByteBuffer} can view; the region is walked in slices of this size. */
    private static final long SLICE = 1L << 30;

    /** One CRC32C per page as of the previous sync (or arm); written by the owner only. */
    private final int[] references;
    /** One CRC32C per page as last sent (or as of the sync that found it dirty); written at sync and by senders. */
    private final int[] sent;
    /** Used under the tracker's lock only (arm and sync). */
    private final CRC32C crc = new CRC32C();

    ChecksumDirtyTracker(String providerName, MemorySegment memory) {
        super(providerName, memory);
        if (pageCount() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("region too large for page checksums: " + memory.byteSize()
                    + " bytes");
        }
        this.references = new int[(int) pageCount()];
        this.sent = new int[(int) pageCount()];
    }

    @Override
    protected void implArm() {
        forEachPage((page, value) -> {
            CRCS.setOpaque(references, page, value);
            CRCS.setOpaque(sent, page, value);
        });
    }

    @Override
    protected void implSync(DirtyPages.Builder dirty) {
        forEachPage((page, value) -> {
            int reference = (int) CRCS.getOpaque(references, page);
            int wentOut = (int) CRCS.getOpaque(sent, page);
            if (reference != value || wentOut != value) {
                dirty.add(page, page + 1L);
                CRCS.setOpaque(references, page, value);
                // A sender's recordSent racing with this read wins: its value describes what went out, and the
                // page, reported now, is sent (and recorded) again anyway.
                CRCS.compareAndSet(sent, page, wentOut, value);
            }
        });
    }

    @Override
    protected boolean implComparesContents() {
        return true;
    }

    @Override
    protected void implRecordSent(long page, int crc32c) {
        CRCS.setOpaque(sent, (int) page, crc32c);
    }

    @Override
    protected void implClose() {
        // Only heap memory: nothing to free.
    }

    private interface PageChecksum {
        void accept(int page, int crc32c);
    }

    private void forEachPage(PageChecksum action) {
        MemorySegment memory = memory();
        long size = memory.byteSize();
        int page = 0;
        for (long sliceStart = 0; sliceStart < size; sliceStart += SLICE) {
            ByteBuffer slice = memory.asSlice(sliceStart, Math.min(SLICE, size - sliceStart)).asByteBuffer();
            while (slice.hasRemaining()) {
                slice.limit((int) Math.min(slice.capacity(), slice.position() + PAGE_SIZE));
                crc.reset();
                crc.update(slice); // advances to the limit
                action.accept(page++, (int) crc.getValue());
                slice.limit(slice.capacity());
            }
        }
    }
}
