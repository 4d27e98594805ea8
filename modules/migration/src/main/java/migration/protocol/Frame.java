package migration.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One message on the main channel.
 *
 * @param type the frame's type
 * @param body the body bytes (big-endian fields, see {@code PROTOCOL.md})
 */
public record Frame(FrameType type, byte[] body) {

    /**
     * Checks the components.
     *
     * @throws NullPointerException if either is null
     */
    public Frame {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(body, "body");
    }

    /** {@return a frame without a body} @param type the type */
    public static Frame empty(FrameType type) {
        return new Frame(type, new byte[0]);
    }

    /**
     * {@return a frame whose body is UTF-8 text (ERROR, CANCEL)}
     * @param type the type
     * @param text the text; cut to fit a frame
     */
    public static Frame text(FrameType type, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 64 * 1024) {
            bytes = java.util.Arrays.copyOf(bytes, 64 * 1024);
        }
        return new Frame(type, bytes);
    }

    /** {@return the body as UTF-8 text, malformed bytes replaced; raw: for what this side wrote itself} */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** {@return the body as the peer's words, made safe and quoted (see {@link PeerText})} */
    public String peerText() {
        return PeerText.quote(body);
    }

    /** {@return a big-endian buffer over the body} */
    public ByteBuffer buffer() {
        return ByteBuffer.wrap(body);
    }
}
