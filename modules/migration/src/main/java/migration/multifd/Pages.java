package migration.multifd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import migration.MigrationProtocol;

/** Page-level facts shared by sender and receiver. */
final class Pages {

    /** A page of zeros to compare against; never written. */
    private static final MemorySegment ZERO = Arena.global().allocate(MigrationProtocol.PAGE_SIZE,
            MigrationProtocol.PAGE_SIZE);

    private Pages() {
    }

    /**
     * {@return whether the page holds only zero bytes} Uses {@link MemorySegment#mismatch}, which the JDK
     * vectorizes; only reads the page.
     *
     * @param page a page or a short last page
     */
    static boolean isZero(MemorySegment page) {
        return isZero(page, 0, page.byteSize());
    }

    /**
     * {@return whether {@code length} bytes at {@code offset} are all zero} Looks at the first 8 bytes first:
     * a page that holds data almost always differs there, and then the page costs one load.
     *
     * @param memory the memory
     * @param offset where the page starts
     * @param length the page's length, at most a page
     */
    static boolean isZero(MemorySegment memory, long offset, long length) {
        if (length >= Long.BYTES && memory.get(ValueLayout.JAVA_LONG_UNALIGNED, offset) != 0) {
            return false;
        }
        return MemorySegment.mismatch(memory, offset, offset + length, ZERO, 0, length) == -1;
    }

    /** {@return the length of the page at {@code offset} in a block of {@code size} bytes} */
    static long length(long offset, long size) {
        return Math.min(MigrationProtocol.PAGE_SIZE, size - offset);
    }
}
