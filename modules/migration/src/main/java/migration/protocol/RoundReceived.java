package migration.protocol;

import java.nio.ByteBuffer;

/**
 * The ROUND_RECEIVED frame: every channel of the destination read its pages of this round (not the last) and
 * the SYNC that ends it, so nothing of the round is still on its way. The source waits for it before the sync
 * that may decide the switchover: the pause then never begins with the earlier rounds still in the sockets'
 * buffers, which the downtime would pay for (megabytes per channel on a fast link).
 *
 * @param round the round received, from 1
 */
public record RoundReceived(int round) {

    /** The body's size: the round number (4). */
    public static final int SIZE = 4;

    /**
     * Checks the round.
     *
     * @throws IllegalArgumentException if the round is below 1
     */
    public RoundReceived {
        if (round < 1) {
            throw new IllegalArgumentException("round " + round + ", expected at least 1");
        }
    }

    /** {@return the frame} */
    public Frame encode() {
        return new Frame(FrameType.ROUND_RECEIVED, ByteBuffer.allocate(SIZE).putInt(round).array());
    }

    /**
     * Parses a ROUND_RECEIVED body and checks that it is the round the source waits for.
     *
     * @param frame    the frame
     * @param expected the round the source ended last with ROUND_END and waits for
     * @return the message
     * @throws ProtocolException naming the field that is wrong
     */
    public static RoundReceived decode(Frame frame, int expected) throws ProtocolException {
        int length = frame.body().length;
        if (length != SIZE) {
            throw new ProtocolException("main channel, ROUND_RECEIVED: the body has " + length + " bytes, expected "
                    + SIZE + " (the round)");
        }
        int round = frame.buffer().getInt();
        if (round != expected) {
            throw new ProtocolException("main channel, ROUND_RECEIVED: round " + Integer.toUnsignedString(round)
                    + ", expected " + (expected == 0 ? "none (no round has ended)"
                    : expected + " (the round the source ended last)"));
        }
        return new RoundReceived(round);
    }
}
