package migration.cli;

import java.lang.foreign.MemorySegment;
import java.util.zip.CRC32C;

/** The CRC32C (Castagnoli) of memory of any size, as the migration's digests compute it. */
final class MemoryDigest {

    /** A {@link java.nio.ByteBuffer} holds at most 2^31-1 bytes: larger memory is read in 1 GiB pieces. */
    private static final long PIECE = 1L << 30;

    private MemoryDigest() {
    }

    /** {@return the CRC32C of {@code memory}} */
    static int crc32c(MemorySegment memory) {
        CRC32C crc = new CRC32C();
        for (long offset = 0; offset < memory.byteSize(); offset += PIECE) {
            crc.update(memory.asSlice(offset, Math.min(PIECE, memory.byteSize() - offset)).asByteBuffer());
        }
        return (int) crc.getValue();
    }

    /** {@return a digest as the tool prints it, {@code 0x} and 8 hexadecimal digits} */
    static String text(int crc) {
        return String.format("0x%08x", crc);
    }
}
