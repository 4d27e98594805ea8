package migration.multifd;

import java.util.stream.IntStream;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC32C (Castagnoli) helpers: the CRC of a run of bytes, and the combination of the CRCs of two adjacent runs
 * into the CRC of their concatenation without reading the bytes again, as zlib's {@code crc32_combine} does
 * for CRC-32 ({@code crc32.c}: {@code multmodp}, {@code x2nmodp}), here with the Castagnoli polynomial.
 */
public final class Crc32c {

    /** The Castagnoli polynomial, bit-reflected (RFC 3720, B.4). */
    private static final int POLY = 0x82F63B78;
    /** {@code X2N[k]} = x^(2^k) mod P, reflected. */
    private static final int[] X2N = new int[32];

    static {
        int p = 1 << 30; // x^1
        X2N[0] = p;
        for (int k = 1; k < 32; k++) {
            p = multiply(p, p);
            X2N[k] = p;
        }
    }

    private Crc32c() {
    }

    /** a·b mod P, both reflected. */
    private static int multiply(int a, int b) {
        int m = 1 << 31;
        int p = 0;
        while (true) {
            if ((a & m) != 0) {
                p ^= b;
                if ((a & (m - 1)) == 0) {
                    break;
                }
            }
            m >>>= 1;
            b = (b & 1) != 0 ? (b >>> 1) ^ POLY : b >>> 1;
        }
        return p;
    }

    /**
     * {@return the operator that appends {@code length} bytes: x^(8·length) mod P} Pass it to
     * {@link #combine(int, int, int)}; computing it once serves every run of that length.
     *
     * @param length bytes, not negative
     */
    public static int shiftOperator(long length) {
        int p = 1 << 31; // x^0
        long n = length;
        int k = 3; // 8 bits per byte: x^(n·2^3)
        while (n != 0) {
            if ((n & 1) != 0) {
                p = multiply(X2N[k & 31], p);
            }
            n >>>= 1;
            k++;
        }
        return p;
    }

    /**
     * {@return the CRC32C of A followed by B}
     * @param crcA     CRC32C of A
     * @param crcB     CRC32C of B
     * @param operator {@link #shiftOperator(long)} of B's length
     */
    public static int combine(int crcA, int crcB, int operator) {
        return multiply(operator, crcA) ^ crcB;
    }

    /**
     * {@return a table for multiplying by {@code operator} a byte at a time} Entry {@code 256·j + b} is
     * {@code operator · (b << 8j)}, so that {@code combine(a, b, operator)} equals the XOR of the four entries
     * for a's bytes, XOR b.
     *
     * @param operator from {@link #shiftOperator(long)}
     */
    public static int[] multiplicationTable(int operator) {
        int[] table = new int[4 * 256];
        for (int j = 0; j < 4; j++) {
            for (int b = 0; b < 256; b++) {
                table[256 * j + b] = b == 0 ? 0 : multiply(operator, b << (8 * j));
            }
        }
        return table;
    }

    /**
     * {@return the CRC32C of the buffer's remaining bytes} Consumes them.
     * @param scratch a CRC32C owned by the calling thread; reset here
     * @param bytes   the bytes; direct buffers use the CPU's CRC32C instructions
     */
    public static int of(CRC32C scratch, ByteBuffer bytes) {
        scratch.reset();
        scratch.update(bytes);
        return (int) scratch.getValue();
    }

    /** Bytes each task of {@link #ofMemory} digests. */
    private static final long CHUNK = 64L << 20;

    /**
     * {@return the CRC32C of every byte of {@code memory}} Reads the memory itself, in 64 MiB chunks on the common
     * fork-join pool, and combines the chunks' CRCs ({@link #combine}); used to digest a block's final contents.
     * @param memory the memory, of any size
     */
    public static int ofMemory(MemorySegment memory) {
        long size = memory.byteSize();
        int chunks = (int) Math.max(1, (size + CHUNK - 1) / CHUNK);
        int[] crcs = IntStream.range(0, chunks).parallel().map(i -> {
            long offset = i * CHUNK;
            CRC32C crc = new CRC32C();
            crc.update(memory.asSlice(offset, Math.min(CHUNK, size - offset)).asByteBuffer());
            return (int) crc.getValue();
        }).toArray();
        int crc = crcs[0];
        int full = shiftOperator(CHUNK);
        for (int i = 1; i < chunks; i++) {
            long length = Math.min(CHUNK, size - i * CHUNK);
            crc = combine(crc, crcs[i], length == CHUNK ? full : shiftOperator(length));
        }
        return crc;
    }
}
