package migration.protocol;

import java.nio.ByteBuffer;

/**
 * The ROUND_END frame: every channel sent the SYNC packet that ends this round, which is not the last.
 *
 * @param round the round that ended, from 1
 */
public record RoundEnd(int round) {

    /** The body's size: the round number (4). */
    public static final int SIZE = 4;

    /**
     * Checks the round.
     *
     * @throws IllegalArgumentException if the round is below 1
     */
    public RoundEnd {
        if (round < 1) {
            throw new IllegalArgumentException("round " + round + ", expected at least 1");
        }
    }

    /** {@return the frame} */
    public Frame encode() {
        return new Frame(FrameType.ROUND_END, ByteBuffer.allocate(SIZE).putInt(round).array());
    }

    /**
     * Parses a ROUND_END body.
     *
     * @param frame the frame
     * @return the message
     * @throws ProtocolException naming the field that is wrong
     */
    public static RoundEnd decode(Frame frame) throws ProtocolException {
        int length = frame.body().length;
        if (length != SIZE) {
            throw new ProtocolException("main channel, ROUND_END: the body has " + length + " bytes, expected "
                    + SIZE + " (the round)");
        }
        int round = frame.buffer().getInt();
        if (round < 1) {
            throw new ProtocolException("main channel, ROUND_END: round " + Integer.toUnsignedString(round)
                    + ", expected 1.." + Integer.MAX_VALUE);
        }
        return new RoundEnd(round);
    }

    /**
     * Checks that this is the round the destination expects to end next.
     *
     * @param expected the number of rounds ended so far, plus one
     * @throws ProtocolException naming the field if it is another round
     */
    public void checkNext(int expected) throws ProtocolException {
        if (round != expected) {
            throw new ProtocolException("main channel, ROUND_END: round " + round + ", expected " + expected
                    + " (the next round to end)");
        }
    }
}
