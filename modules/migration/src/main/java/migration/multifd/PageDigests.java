package migration.multifd;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import migration.MigrationProtocol;

/**
 * The CRC32C of every page of one block, filled in by the channel threads while a page's bytes are in their
 * hands (right after the system call that moved them, see {@link PayloadDigest}; zero pages from a
 * constant), and folded into the CRC32C of the whole block at the end with {@link Crc32c#combine}: the digest
 * of PROTOCOL.md §2.4 without a second pass over the memory. One {@code int} per page, no objects per page.
 *
 * <p>A page sent or received again (a later round) overwrites its entry, so the fold describes the block's
 * final contents. Entries of distinct pages are written by distinct threads; the fold runs after the channels
 * met at the end of the last round (which orders it after every write).
 */
public final class PageDigests {

    private static final int PAGE = MigrationProtocol.PAGE_SIZE;
    private static final int ZERO_PAGE_CRC;

    static {
        ZERO_PAGE_CRC = Crc32c.of(new CRC32C(), ByteBuffer.allocateDirect(PAGE));
    }

    private final long size;
    private final int[] crcs;

    /**
     * Creates the digests of a block.
     *
     * @param size the block's size in bytes
     */
    public PageDigests(long size) {
        long pages = MigrationProtocol.pageCount(size);
        if (pages > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("block too large for page digests: " + size + " bytes");
        }
        this.size = size;
        this.crcs = new int[(int) pages];
    }

    /**
     * Records a page's CRC32C, computed by the caller.
     *
     * @param page the page's index
     * @param crc  the CRC32C of its bytes
     */
    public void record(long page, int crc) {
        crcs[(int) page] = crc;
    }

    /**
     * {@return the CRC32C last recorded for a page}
     * @param page the page's index
     */
    public int crc(long page) {
        return crcs[(int) page];
    }

    /**
     * Records that a page holds only zeros.
     *
     * @param scratch the calling thread's CRC32C
     * @param page    the page's index
     */
    public void recordZero(CRC32C scratch, long page) {
        long length = Math.min(PAGE, size - page * PAGE);
        crcs[(int) page] = length == PAGE ? ZERO_PAGE_CRC
                : Crc32c.of(scratch, ByteBuffer.allocateDirect((int) length));
    }

    /**
     * Computes a page's entry from memory: for pages no thread recorded (never received).
     *
     * @param scratch the calling thread's CRC32C
     * @param memory  the block's memory
     * @param page    the page's index
     */
    public void recordFromMemory(CRC32C scratch, MemorySegment memory, long page) {
        long offset = page * PAGE;
        crcs[(int) page] = Crc32c.of(scratch, memory.asSlice(offset, Math.min(PAGE, size - offset)).asByteBuffer());
    }

    /** {@return the CRC32C of the whole block, folded from the page entries} */
    public int blockCrc() {
        if (crcs.length == 0) {
            return 0;
        }
        int full = Crc32c.shiftOperator(PAGE);
        // Appending a page is multiplying by a constant, which is linear over GF(2): four byte tables do it.
        int[] table = Crc32c.multiplicationTable(full);
        int crc = crcs[0];
        int last = crcs.length - 1;
        for (int i = 1; i < last; i++) {
            crc = table[crc & 0xff] ^ table[256 + ((crc >>> 8) & 0xff)] ^ table[512 + ((crc >>> 16) & 0xff)]
                    ^ table[768 + (crc >>> 24)] ^ crcs[i];
        }
        if (last > 0) {
            long lastLength = size - (long) last * PAGE;
            crc = Crc32c.combine(crc, crcs[last], lastLength == PAGE ? full : Crc32c.shiftOperator(lastLength));
        }
        return crc;
    }
}
