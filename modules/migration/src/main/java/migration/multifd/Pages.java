package migration.multifd;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
        return page.mismatch(ZERO.asSlice(0, page.byteSize())) == -1;
    }

    /** {@return the length of the page at {@code offset} in a block of {@code size} bytes} */
    static long length(long offset, long size) {
        return Math.min(MigrationProtocol.PAGE_SIZE, size - offset);
    }
}
