package migration.protocol;

import java.lang.foreign.MemorySegment;

/**
 * One message of the handover channel: which block a descriptor passed with it ({@code SCM_RIGHTS}) holds, and
 * what the receiver must find when it checks the descriptor (see {@code PROTOCOL.md}, "Handover"). 16 bytes:
 *
 * <pre>
 * 0  4  block index, one HELLO hands over, each exactly once
 * 4  4  flags: bit 0 = the file is sealed against shrinking and growing (F_SEAL_SHRINK, F_SEAL_GROW, F_SEAL_SEAL);
 *       other bits rejected
 * 8  8  the file's size in bytes, at least the block's
 * </pre>
 *
 * @param block    the block's index in HELLO
 * @param sealed   whether the file is sealed
 * @param fileSize the file's size
 */
public record HandoverMessage(int block, boolean sealed, long fileSize) {

    /** The message's size in bytes. */
    public static final int SIZE = 16;
    private static final int FLAG_SEALED = 1;

    /**
     * Writes the message.
     *
     * @param out at least {@value #SIZE} bytes
     */
    public void encode(MemorySegment out) {
        out.set(Wire.INT, 0, block);
        out.set(Wire.INT, 4, sealed ? FLAG_SEALED : 0);
        out.set(Wire.LONG, 8, fileSize);
    }

    /**
     * Parses and checks a message against the blocks HELLO hands over.
     *
     * @param in         the {@value #SIZE} bytes
     * @param hello      the handshake
     * @param descriptors how many descriptors came with the message
     * @return the message
     * @throws ProtocolException naming what is wrong
     */
    public static HandoverMessage decode(MemorySegment in, Hello hello, int descriptors) throws ProtocolException {
        int block = in.get(Wire.INT, 0);
        int flags = in.get(Wire.INT, 4);
        long fileSize = in.get(Wire.LONG, 8);
        if (!hello.handedOver().contains(block)) {
            throw new ProtocolException("handover channel: block index " + Integer.toUnsignedString(block)
                    + " is not one HELLO hands over " + hello.handedOver());
        }
        String name = "handover channel, ram block '" + hello.blocks().get(block).name() + "': ";
        if ((flags & ~FLAG_SEALED) != 0) {
            throw new ProtocolException(name + "reserved flags " + Wire.hex(flags & ~FLAG_SEALED & 0xffffffffL)
                    + " are not zero");
        }
        if (descriptors != 1) {
            throw new ProtocolException(name + descriptors + " descriptors came with the message, expected 1");
        }
        long size = hello.blocks().get(block).size();
        if (fileSize < size || fileSize < 1) {
            throw new ProtocolException(name + "a file of " + fileSize + " bytes cannot hold the block's " + size);
        }
        return new HandoverMessage(block, (flags & FLAG_SEALED) != 0, fileSize);
    }
}
