package migration.protocol;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * The COMPLETE frame: the source sent everything.
 *
 * @param rounds      number of rounds, which is the number of SYNC packets on every channel
 * @param dataPackets data packets sent over all channels (SYNC packets not counted)
 * @param digests     one CRC32C per block in HELLO order, or {@code null} when the source does not verify
 * @param ofMemory    whether the digests were read from the source's final memory itself (verify {@code final})
 *                    rather than folded from the pages as they were sent
 */
public record Complete(int rounds, long dataPackets, int[] digests, boolean ofMemory) {

    /** Flag: digests follow. */
    private static final int FLAG_DIGESTS = 1;
    /** Flag, only with {@link #FLAG_DIGESTS}: the digests are of the final memory, read while paused. */
    private static final int FLAG_OF_MEMORY = 2;

    /**
     * A COMPLETE whose digests, if any, were folded from the pages as they were sent.
     *
     * @param rounds      number of rounds
     * @param dataPackets data packets sent
     * @param digests     one CRC32C per block, or {@code null}
     */
    public Complete(int rounds, long dataPackets, int[] digests) {
        this(rounds, dataPackets, digests, false);
    }

    /** {@return the frame} */
    public Frame encode() {
        int count = digests == null ? 0 : digests.length;
        ByteBuffer out = ByteBuffer.allocate(20 + 4 * count);
        out.putInt(rounds).putInt(digests == null ? 0 : ofMemory ? FLAG_DIGESTS | FLAG_OF_MEMORY : FLAG_DIGESTS).putLong(dataPackets).putInt(count);
        for (int i = 0; i < count; i++) {
            out.putInt(digests[i]);
        }
        return new Frame(FrameType.COMPLETE, out.array());
    }

    /**
     * Parses a COMPLETE body.
     *
     * @param frame  the frame
     * @param blocks number of blocks announced in HELLO
     * @return the message
     * @throws ProtocolException naming the field that is wrong
     */
    public static Complete decode(Frame frame, int blocks) throws ProtocolException {
        ByteBuffer in = frame.buffer();
        try {
            int rounds = in.getInt();
            int flags = in.getInt();
            long packets = in.getLong();
            int count = in.getInt();
            if (rounds < 1) {
                throw new ProtocolException("main channel, COMPLETE: round count " + rounds + ", expected at least 1");
            }
            if ((flags & ~(FLAG_DIGESTS | FLAG_OF_MEMORY)) != 0) {
                throw new ProtocolException("main channel, COMPLETE: unknown flags " + Wire.hex(flags));
            }
            if ((flags & FLAG_OF_MEMORY) != 0 && (flags & FLAG_DIGESTS) == 0) {
                throw new ProtocolException("main channel, COMPLETE: flag " + Wire.hex(FLAG_OF_MEMORY)
                        + " (digests of the final memory) without digests");
            }
            if (packets < 0) {
                throw new ProtocolException("main channel, COMPLETE: negative packet count " + packets);
            }
            int expected = (flags & FLAG_DIGESTS) != 0 ? blocks : 0;
            if (count != expected) {
                throw new ProtocolException("main channel, COMPLETE: " + count + " digests, expected " + expected);
            }
            int[] digests = null;
            if ((flags & FLAG_DIGESTS) != 0) {
                digests = new int[count];
                for (int i = 0; i < count; i++) {
                    digests[i] = in.getInt();
                }
            }
            if (in.hasRemaining()) {
                throw new ProtocolException("main channel, COMPLETE: " + in.remaining() + " extra bytes");
            }
            return new Complete(rounds, packets, digests, (flags & FLAG_OF_MEMORY) != 0);
        } catch (BufferUnderflowException e) {
            throw new ProtocolException("main channel, COMPLETE: the frame is too short (" + frame.body().length
                    + " bytes)");
        }
    }

    /**
     * Checks the round count against the rounds the source ended with ROUND_END before this frame: COMPLETE
     * ends the next one.
     *
     * @param roundsEnded the ROUND_END frames received
     * @throws ProtocolException if the counts disagree
     */
    public void checkRounds(int roundsEnded) throws ProtocolException {
        if (rounds != roundsEnded + 1) {
            throw new ProtocolException("main channel, COMPLETE: round count " + rounds + ", but the source ended "
                    + roundsEnded + " round" + (roundsEnded == 1 ? "" : "s") + " with ROUND_END before it, so expected "
                    + (roundsEnded + 1));
        }
    }
}
