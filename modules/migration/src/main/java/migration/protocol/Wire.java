package migration.protocol;

import io.channel.IOChannel;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import migration.MigrationProtocol;

/**
 * Constants and primitive helpers of the wire protocol. Every integer on the wire is big-endian.
 *
 * <p>IMPORTANT: every constant here is documented in {@code modules/migration/PROTOCOL.md}; keep them in sync.
 */
public final class Wire {

    /** First four bytes of the main channel: ASCII {@code "MIGR"}. */
    public static final int MAIN_MAGIC = 0x4D494752;
    /** First four bytes of a multifd channel and of every multifd packet: ASCII {@code "MFDP"}. */
    public static final int MULTIFD_MAGIC = 0x4D464450;
    /** The protocol version. */
    public static final int VERSION = MigrationProtocol.VERSION;

    /** Main channel preamble: magic (4), version (4). */
    public static final int PREAMBLE_SIZE = 8;
    /** Main channel frame header: type (2), reserved (2), body length (4). */
    public static final int FRAME_HEADER_SIZE = 8;
    /** The largest frame body accepted. */
    public static final int MAX_FRAME_BODY = 1 << 20;

    /** Big-endian unaligned int. */
    public static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** Big-endian unaligned long. */
    public static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    /** Big-endian unaligned short. */
    public static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private Wire() {
    }

    /**
     * Fills {@code segment} from the channel, telling a clean end of stream (before the first byte) from a
     * truncated read.
     *
     * @param channel the channel
     * @param segment where to read
     * @param what    what is being read, for the error message ("the packet header")
     * @return {@code false} if the stream ended before the first byte, {@code true} if the segment is full
     * @throws EOFException if the stream ended after some but not all bytes; the message says how many
     * @throws IOException  on any other I/O error
     */
    public static boolean readOrEnd(IOChannel channel, MemorySegment segment, String what) throws IOException {
        MemorySegment[] one = new MemorySegment[1];
        long size = segment.byteSize();
        long done = 0;
        while (done < size) {
            one[0] = segment.asSlice(done);
            long n = channel.readv(one, 0, 1);
            if (n < 0) {
                if (done == 0) {
                    return false;
                }
                throw new EOFException("connection closed in " + what + " after " + done + " of " + size
                        + " bytes");
            }
            done += n;
        }
        return true;
    }

    /**
     * Fills {@code segment} from the channel.
     *
     * @param channel the channel
     * @param segment where to read
     * @param what    what is being read, for the error message
     * @throws EOFException if the stream ended first; the message says where
     * @throws IOException  on any other I/O error
     */
    public static void readFully(IOChannel channel, MemorySegment segment, String what) throws IOException {
        if (!readOrEnd(channel, segment, what) && segment.byteSize() > 0) {
            throw new EOFException("connection closed before " + what);
        }
    }

    /** {@return {@code value} as {@code 0x...}} @param value a number */
    public static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }
}
