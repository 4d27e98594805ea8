package migration.protocol;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;

/**
 * The COMPLETE frame: the source sent everything.
 *
 * @param rounds      number of rounds, which is the number of SYNC packets on every channel
 * @param dataPackets data packets sent over all channels (SYNC packets not counted)
 * @param digests     one CRC32C per block in HELLO order, or {@code null} when the source does not verify
 */
public record Complete(int rounds, long dataPackets, int[] digests) {

    /** Flag: digests follow. */
    private static final int FLAG_DIGESTS = 1;

    /** {@return the frame} */
    public Frame encode() {
        int count = digests == null ? 0 : digests.length;
        ByteBuffer out = ByteBuffer.allocate(20 + 4 * count);
        out.putInt(rounds).putInt(digests == null ? 0 : FLAG_DIGESTS).putLong(dataPackets).putInt(count);
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
            if ((flags & ~FLAG_DIGESTS) != 0) {
                throw new ProtocolException("main channel, COMPLETE: unknown flags " + Wire.hex(flags));
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
            return new Complete(rounds, packets, digests);
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
