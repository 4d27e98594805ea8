package migration.protocol;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import migration.MigrationProtocol;

/**
 * The header of a multifd packet (PROTOCOL.md section 3.2), as a reusable view over one native buffer: the
 * sender fills it and writes {@link #bytes()}, the receiver reads the fixed part into {@link #fixedPart()},
 * {@link #checkFixed checks} it, reads the offsets into {@link #offsetsPart()} and {@link #checkOffsets checks}
 * them. Nothing is allocated per packet: messages are built only when a check fails.
 *
 * <p>One instance belongs to one channel's thread.
 */
public final class PacketHeader {

    /** The fixed part: magic, version, flags, block, normal count, zero count (4 each), packet number (8). */
    public static final int FIXED_SIZE = 32;
    /** Size of one page offset. */
    public static final int OFFSET_SIZE = 8;
    /** The largest header: the fixed part and 128 offsets. */
    public static final int MAX_SIZE = FIXED_SIZE + OFFSET_SIZE * MigrationProtocol.MAX_PAGES_PER_PACKET;
    /** Flag: this packet ends a round on its channel; it carries no pages. */
    public static final int FLAG_SYNC = 1;
    /** Every flag bit this version knows; any other bit is rejected. */
    public static final int KNOWN_FLAGS = FLAG_SYNC;

    private static final long MAGIC = 0;
    private static final long VERSION = 4;
    private static final long FLAGS = 8;
    private static final long BLOCK = 12;
    private static final long NORMAL = 16;
    private static final long ZEROS = 20;
    private static final long NUMBER = 24;

    private final MemorySegment segment;
    private final MemorySegment fixed;

    /**
     * Allocates the buffer of the largest header.
     *
     * @param arena owns the buffer; confined to the channel's thread is fine
     */
    public PacketHeader(Arena arena) {
        this.segment = arena.allocate(MAX_SIZE, 8);
        this.fixed = segment.asSlice(0, FIXED_SIZE);
    }

    // ---- Writing (the sender).

    /**
     * Starts a data packet; set its offsets with {@link #setOffset}.
     *
     * @param block  the block index
     * @param normal the normal pages
     * @param zeros  the zero pages
     * @param number the packet number
     */
    public void setData(int block, int normal, int zeros, long number) {
        setFixed(0, block, normal, zeros, number);
    }

    /**
     * Makes this a SYNC packet.
     *
     * @param number the packet number
     */
    public void setSync(long number) {
        setFixed(FLAG_SYNC, 0, 0, 0, number);
    }

    private void setFixed(int flags, int block, int normal, int zeros, long number) {
        segment.set(Wire.INT, MAGIC, Wire.MULTIFD_MAGIC);
        segment.set(Wire.INT, VERSION, Wire.VERSION);
        segment.set(Wire.INT, FLAGS, flags);
        segment.set(Wire.INT, BLOCK, block);
        segment.set(Wire.INT, NORMAL, normal);
        segment.set(Wire.INT, ZEROS, zeros);
        segment.set(Wire.LONG, NUMBER, number);
    }

    /**
     * Sets a page offset; the normal pages' offsets come first, then the zero pages'.
     *
     * @param index  0 to 127
     * @param offset the page's offset in the block
     */
    public void setOffset(int index, long offset) {
        segment.set(Wire.LONG, FIXED_SIZE + (long) OFFSET_SIZE * index, offset);
    }

    /**
     * Sets {@code count} page offsets at once, from index {@code index} on: one bulk copy (byte-swapped to the
     * wire's order), where {@link #setOffset} per page would be one memory access each, costly until the JIT has
     * compiled the sender's per-packet code.
     *
     * @param index   the first index, 0 to 127
     * @param offsets the offsets
     * @param count   how many, from {@code offsets[0]}
     */
    public void setOffsets(int index, long[] offsets, int count) {
        MemorySegment.copy(offsets, 0, segment, Wire.LONG, FIXED_SIZE + (long) OFFSET_SIZE * index, count);
    }

    /** {@return the header's bytes on the wire: the fixed part and the offsets of its pages} */
    public MemorySegment bytes() {
        return segment.asSlice(0, length());
    }

    /** {@return the header's length on the wire} */
    public int length() {
        return FIXED_SIZE + OFFSET_SIZE * (normalPages() + zeroPages());
    }

    /** {@return the whole buffer; offsets start at {@link #FIXED_SIZE}} */
    public MemorySegment segment() {
        return segment;
    }

    // ---- Reading (the receiver).

    /** {@return the fixed part, to read from the channel} */
    public MemorySegment fixedPart() {
        return fixed;
    }

    /** {@return the offsets of this packet's pages, to read from the channel after {@link #checkFixed}} */
    public MemorySegment offsetsPart() {
        return segment.asSlice(FIXED_SIZE, (long) OFFSET_SIZE * (normalPages() + zeroPages()));
    }

    /** {@return the flags} */
    public int flags() {
        return segment.get(Wire.INT, FLAGS);
    }

    /** {@return whether this is a SYNC packet} */
    public boolean isSync() {
        return (flags() & FLAG_SYNC) != 0;
    }

    /** {@return the block index} */
    public int block() {
        return segment.get(Wire.INT, BLOCK);
    }

    /** {@return the number of normal pages} */
    public int normalPages() {
        return segment.get(Wire.INT, NORMAL);
    }

    /** {@return the number of zero pages} */
    public int zeroPages() {
        return segment.get(Wire.INT, ZEROS);
    }

    /** {@return the packet number, unsigned} */
    public long number() {
        return segment.get(Wire.LONG, NUMBER);
    }

    /**
     * {@return a page offset}
     * @param index 0 to normal + zero pages - 1
     */
    public long offset(int index) {
        return segment.get(Wire.LONG, FIXED_SIZE + (long) OFFSET_SIZE * index);
    }

    /**
     * Copies this packet's page offsets (normal pages first, then zero pages) into {@code into}, in one bulk copy
     * from the wire's byte order; call after reading {@link #offsetsPart()}.
     *
     * @param into receives the offsets; at least {@code normalPages() + zeroPages()} long
     * @return how many offsets were copied
     */
    public int readOffsets(long[] into) {
        int pages = normalPages() + zeroPages();
        MemorySegment.copy(segment, Wire.LONG, FIXED_SIZE, into, 0, pages);
        return pages;
    }

    /**
     * Checks the fixed part just read: magic, version, flags, packet number, and for a SYNC no pages, else the
     * block index and the page counts.
     *
     * @param channel  the channel id, for messages
     * @param previous the previous packet number on this channel, 0 before the first
     * @param blocks   the number of blocks HELLO announced
     * @throws ProtocolException naming the channel, the packet and the field
     */
    public void checkFixed(int channel, long previous, int blocks) throws ProtocolException {
        int magic = segment.get(Wire.INT, MAGIC);
        if (magic != Wire.MULTIFD_MAGIC) {
            throw new ProtocolException("multifd channel " + channel + ", "
                    + (previous == 0 ? "first packet" : "packet after " + Long.toUnsignedString(previous))
                    + ": received packet magic " + Wire.hex(magic & 0xffffffffL)
                    + ", expected " + Wire.hex(Wire.MULTIFD_MAGIC));
        }
        int version = segment.get(Wire.INT, VERSION);
        if (version != Wire.VERSION) {
            throw new ProtocolException(where(channel) + ": received packet version "
                    + Integer.toUnsignedString(version) + ", expected " + Wire.VERSION);
        }
        int flags = flags();
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw new ProtocolException(where(channel) + ": unknown flags "
                    + Wire.hex(flags & ~KNOWN_FLAGS & 0xffffffffL) + " in flags " + Wire.hex(flags & 0xffffffffL)
                    + " (known: " + Wire.hex(KNOWN_FLAGS) + ")");
        }
        // Unsigned, as PROTOCOL.md says: numbers start at 1, and 0 is never above a previous number.
        if (Long.compareUnsigned(number(), previous) <= 0) {
            throw new ProtocolException(where(channel) + ": packet number not above the previous one on this channel"
                    + " (" + Long.toUnsignedString(previous) + ")");
        }
        int block = block();
        int normal = normalPages();
        int zeros = zeroPages();
        if (isSync()) {
            if (block != 0 || normal != 0 || zeros != 0) {
                throw new ProtocolException(where(channel) + ": SYNC packet with block "
                        + Integer.toUnsignedString(block) + ", " + Integer.toUnsignedString(normal) + " normal and "
                        + Integer.toUnsignedString(zeros) + " zero pages; a SYNC carries no pages");
            }
            return;
        }
        int capacity = MigrationProtocol.MAX_PAGES_PER_PACKET;
        if (block < 0 || block >= blocks) {
            throw new ProtocolException(where(channel) + ": block index " + Integer.toUnsignedString(block)
                    + " out of range (the source announced " + blocks + " block" + (blocks == 1 ? "" : "s") + ")");
        }
        if (normal < 0 || normal > capacity) {
            throw new ProtocolException(where(channel) + ": received packet with " + Integer.toUnsignedString(normal)
                    + " non-zero pages, which exceeds maximum expected pages " + capacity);
        }
        if (zeros < 0 || zeros > capacity) {
            throw new ProtocolException(where(channel) + ": received packet with " + Integer.toUnsignedString(zeros)
                    + " zero pages, expected maximum " + capacity);
        }
        if (normal + zeros > capacity) {
            throw new ProtocolException(where(channel) + ": received packet with " + normal + " non-zero and " + zeros
                    + " zero pages, more than the " + capacity + " a packet holds");
        }
        if (normal + zeros == 0) {
            throw new ProtocolException(where(channel) + ": data packet without pages");
        }
    }

    /**
     * Checks the offsets just read after {@link #checkFixed}: each is page-aligned and inside the block.
     *
     * @param channel   the channel id, for messages
     * @param blockName the block's name, for messages
     * @param blockSize the block's size
     * @throws ProtocolException naming the channel, the packet and the offset
     */
    public void checkOffsets(int channel, String blockName, long blockSize) throws ProtocolException {
        long[] offsets = new long[MigrationProtocol.MAX_PAGES_PER_PACKET];
        readOffsets(offsets);
        checkOffsets(channel, blockName, blockSize, offsets);
    }

    /**
     * Like {@link #checkOffsets(int, String, long)}, on the offsets {@link #readOffsets} copied out.
     *
     * @param channel   the channel id, for messages
     * @param blockName the block's name, for messages
     * @param blockSize the block's size
     * @param offsets   this packet's offsets, as {@link #readOffsets} left them
     * @throws ProtocolException naming the channel, the packet and the offset
     */
    public void checkOffsets(int channel, String blockName, long blockSize, long[] offsets) throws ProtocolException {
        int normal = normalPages();
        int pages = normal + zeroPages();
        for (int i = 0; i < pages; i++) {
            long offset = offsets[i];
            // One test for the usual case: aligned and inside the block (a negative offset fails the second).
            if ((offset & (MigrationProtocol.PAGE_SIZE - 1)) == 0 && Long.compareUnsigned(offset, blockSize) < 0) {
                continue;
            }
            if (offset < 0 || offset >= blockSize) {
                throw new ProtocolException(where(channel) + ": " + kind(i, normal) + " " + Wire.hex(offset)
                        + " outside block '" + blockName + "' (size " + Wire.hex(blockSize) + ")");
            }
            if (offset % MigrationProtocol.PAGE_SIZE != 0) {
                throw new ProtocolException(where(channel) + ": " + kind(i, normal) + " " + Wire.hex(offset)
                        + " in block '" + blockName + "' is not a multiple of the page size "
                        + MigrationProtocol.PAGE_SIZE);
            }
        }
    }

    private static String kind(int index, int normal) {
        return index < normal ? "offset" : "zero-page offset";
    }

    /**
     * {@return "multifd channel C, packet N", for messages about this packet}
     * @param channel the channel id
     */
    public String where(int channel) {
        return "multifd channel " + channel + ", packet " + Long.toUnsignedString(number());
    }
}
