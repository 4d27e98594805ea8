package migration.session;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

/**
 * The end-to-end digest of a block: CRC32C over its bytes, fed in slices of at most 1 GiB as direct
 * buffers, which the JDK computes with the CPU's CRC32C instructions. Only reads the memory.
 */
final class Digests {

    private static final long SLICE = 1L << 30;

    private Digests() {
    }

    static int crc32c(MemorySegment memory) {
        CRC32C crc = new CRC32C();
        long size = memory.byteSize();
        for (long offset = 0; offset < size; offset += SLICE) {
            crc.update(memory.asSlice(offset, Math.min(SLICE, size - offset)).asByteBuffer());
        }
        return (int) crc.getValue();
    }
}
