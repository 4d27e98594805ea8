package migration.protocol;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The RESULT frame: the destination's verdict.
 *
 * @param ok       whether every page arrived and the digests, if checked, matched
 * @param verified whether the destination checked the digests
 * @param message  empty when ok; otherwise what went wrong (decoded: the peer's words, made safe and quoted by
 *                 {@link PeerText})
 */
public record Result(boolean ok, boolean verified, String message) {

    /** {@return the frame} */
    public Frame encode() {
        byte[] text = message.getBytes(StandardCharsets.UTF_8);
        if (text.length > 64 * 1024) {
            text = Arrays.copyOf(text, 64 * 1024);
        }
        ByteBuffer out = ByteBuffer.allocate(8 + text.length);
        out.putInt(ok ? 0 : 1).putInt(verified ? 1 : 0).put(text);
        return new Frame(FrameType.RESULT, out.array());
    }

    /**
     * Parses a RESULT body.
     *
     * @param frame the frame
     * @return the result
     * @throws ProtocolException if a field is out of range
     */
    public static Result decode(Frame frame) throws ProtocolException {
        ByteBuffer in = frame.buffer();
        try {
            int code = in.getInt();
            int verified = in.getInt();
            if (code != 0 && code != 1 || verified != 0 && verified != 1) {
                throw new ProtocolException("main channel, RESULT: code " + code + " / verified " + verified
                        + ", expected 0 or 1 each");
            }
            byte[] text = new byte[in.remaining()];
            in.get(text);
            return new Result(code == 0, verified == 1, text.length == 0 ? "" : PeerText.quote(text));
        } catch (BufferUnderflowException e) {
            throw new ProtocolException("main channel, RESULT: the frame is too short (" + frame.body().length
                    + " bytes)");
        }
    }
}
