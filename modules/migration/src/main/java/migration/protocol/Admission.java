package migration.protocol;

import io.channel.IOChannel;
import io.channel.tls.TlsChannel;
import io.channel.tls.TlsHandshakeException;
import io.channel.tls.TlsHandshakeException.Reason;
import io.channel.tls.TlsParameters;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;

/**
 * The ADMISSION frame: the destination's answer to a connection that completed its TLS handshake, whether the
 * source's identity is admitted (QEMU's {@code tls-authz}), and if not, why. The destination sends it on every
 * TLS connection as its first bytes, before it knows whether the connection is the main channel or a multifd
 * channel, and the source waits for it before it sends anything: a refused source learns why on whichever
 * connection, before a byte of the migration moves. In TLS 1.3 the client's side of the handshake is complete
 * before the server has checked the client's certificate, so the handshake alone cannot tell the source; and a
 * TLS alert carries no reason.
 *
 * <p>{@link #answer} is the destination's side of the exchange, {@link #await} the source's.
 *
 * @param admitted whether the destination admits the source
 * @param reason   empty when admitted; otherwise why not (decoded: the peer's words, made safe and quoted by
 *                 {@link PeerText})
 */
public record Admission(boolean admitted, String reason) {

    /** The longest reason, in bytes of UTF-8. */
    public static final int MAX_REASON_BYTES = 1024;
    /** The body before the reason: the code (4). */
    private static final int CODE_SIZE = 4;
    private static final int ADMITTED = 0;
    private static final int REFUSED = 1;

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException if an admission gives a reason or a refusal gives none
     */
    public Admission {
        Objects.requireNonNull(reason, "reason");
        if (admitted != reason.isEmpty()) {
            throw new IllegalArgumentException(admitted ? "an admission gives no reason, but got: " + reason
                    : "a refusal needs a reason");
        }
    }

    /** {@return the frame; a reason longer than {@value #MAX_REASON_BYTES} bytes is cut at a character} */
    public Frame encode() {
        String text = reason;
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        while (bytes.length > MAX_REASON_BYTES) {
            text = text.substring(0, text.offsetByCodePoints(text.length(), -1));
            bytes = text.getBytes(StandardCharsets.UTF_8);
        }
        ByteBuffer out = ByteBuffer.allocate(CODE_SIZE + bytes.length);
        out.putInt(admitted ? ADMITTED : REFUSED).put(bytes);
        return new Frame(FrameType.ADMISSION, out.array());
    }

    /**
     * Parses an ADMISSION body.
     *
     * @param frame the frame
     * @return the answer
     * @throws ProtocolException naming the field that is wrong
     */
    public static Admission decode(Frame frame) throws ProtocolException {
        byte[] body = frame.body();
        if (body.length < CODE_SIZE) {
            throw new ProtocolException("ADMISSION: the frame is too short (" + body.length + " bytes)");
        }
        int code = ByteBuffer.wrap(body).getInt();
        int textBytes = body.length - CODE_SIZE;
        if (code != ADMITTED && code != REFUSED) {
            throw new ProtocolException("ADMISSION: code " + Integer.toUnsignedString(code) + ", expected "
                    + ADMITTED + " (admitted) or " + REFUSED + " (refused)");
        }
        if (code == ADMITTED && textBytes != 0) {
            throw new ProtocolException("ADMISSION: an admission with " + textBytes + " bytes of reason, expected"
                    + " none");
        }
        if (code == REFUSED && (textBytes < 1 || textBytes > MAX_REASON_BYTES)) {
            throw new ProtocolException("ADMISSION: a refusal with " + textBytes + " bytes of reason, expected 1.."
                    + MAX_REASON_BYTES);
        }
        byte[] text = new byte[textBytes];
        System.arraycopy(body, CODE_SIZE, text, 0, textBytes);
        return new Admission(code == ADMITTED, textBytes == 0 ? "" : PeerText.quote(text));
    }

    /**
     * The destination's side: checks the identity of the source that completed the TLS handshake on
     * {@code channel} against {@link TlsParameters#allowedPeers()} and tells it the answer in one frame. A refused
     * source is told why (its identity, not the identities allowed), and the channel is then closed.
     *
     * @param channel a connection whose server handshake just completed, nothing read or written on it yet
     * @param tls     the destination's TLS parameters
     * @throws TlsHandshakeException ({@link Reason#IDENTITY_NOT_ALLOWED}) if the source is refused, saying which
     *                               identities are allowed; the channel is closed
     * @throws IOException           if the answer cannot be sent; the channel is closed
     */
    public static void answer(TlsChannel channel, TlsParameters tls) throws IOException {
        X500Principal identity = channel.session().peerIdentity();
        String refusal = tls.refusal(identity);
        Admission answer = refusal == null ? new Admission(true, "") : new Admission(false, identity == null
                ? "the source sent no certificate, and the destination allows only certain identities"
                : "the identity '" + identity.getName() + "' of the source's certificate is not among the identities"
                        + " the destination allows");
        try {
            new MainChannel(channel).send(answer.encode());
        } catch (IOException e) {
            closeQuietly(channel, e);
            throw new IOException("answering its TLS handshake failed: " + e.getMessage(), e);
        }
        if (refusal != null) {
            TlsHandshakeException refused = new TlsHandshakeException(Reason.IDENTITY_NOT_ALLOWED, refusal, null);
            closeQuietly(channel, refused);
            throw refused;
        }
    }

    /**
     * The source's side: waits for the destination's answer on a connection whose client handshake just
     * completed. Nothing bounds the wait but the channel: the caller closes or shuts it down to end it (the
     * setup timeout's watchdog does). The caller names the destination in what it reports.
     *
     * @param channel a connection whose client handshake just completed, nothing read or written on it yet
     * @throws TlsHandshakeException ({@link Reason#REFUSED_BY_PEER}) if the destination refused this source,
     *                               quoting its reason, or refused this side's certificate with a TLS alert
     * @throws ProtocolException     if the destination answered with something else
     * @throws IOException           if the connection ended or failed first
     */
    public static void await(IOChannel channel) throws IOException {
        Frame frame = MainChannel.read(channel, "TLS admission", "the destination", CODE_SIZE + MAX_REASON_BYTES);
        if (frame == null) {
            throw new IOException("the destination closed the connection after the TLS handshake without answering"
                    + " it (no ADMISSION frame)");
        }
        if (frame.type() != FrameType.ADMISSION) {
            throw new ProtocolException("the destination answered the TLS handshake with " + frame.type()
                    + " instead of ADMISSION");
        }
        Admission answer = decode(frame);
        if (!answer.admitted()) {
            throw new TlsHandshakeException(Reason.REFUSED_BY_PEER, "the destination refused this source after the"
                    + " TLS handshake: " + answer.reason(), null);
        }
    }

    private static void closeQuietly(IOChannel channel, Exception failure) {
        try {
            channel.close();
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
