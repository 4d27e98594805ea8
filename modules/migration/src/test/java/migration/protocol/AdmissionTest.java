package migration.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.tls.TlsHandshakeException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AdmissionTest {

    @Test
    void anAdmissionIsAFourByteCodeOfZero() throws Exception {
        Frame frame = new Admission(true, "").encode();

        assertThat(frame.type()).isEqualTo(FrameType.ADMISSION);
        assertThat(frame.body()).containsExactly(0, 0, 0, 0);
        assertThat(Admission.decode(frame)).isEqualTo(new Admission(true, ""));
    }

    @Test
    void aRefusalsReasonIsDecodedEscapedAndQuoted() throws Exception {
        Admission refusal = Admission.decode(new Admission(false, "\u001b[2Jnot you\n").encode());

        assertThat(refusal.admitted()).isFalse();
        assertThat(refusal.reason()).isEqualTo("\"\\x1b[2Jnot you\\n\"");
    }

    @Test
    void aLongReasonIsCutToTheLimitWithoutSplittingACharacter() throws Exception {
        String reason = "é".repeat(Admission.MAX_REASON_BYTES);

        byte[] body = new Admission(false, reason).encode().body();

        assertThat(body).hasSize(4 + Admission.MAX_REASON_BYTES);
        assertThat(new String(body, 4, body.length - 4, StandardCharsets.UTF_8))
                .isEqualTo("é".repeat(Admission.MAX_REASON_BYTES / 2));
    }

    @Test
    void anAdmissionWithAReasonOrARefusalWithoutOneCannotBeMade() {
        assertThatThrownBy(() -> new Admission(true, "but why")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an admission gives no reason, but got: but why");
        assertThatThrownBy(() -> new Admission(false, "")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a refusal needs a reason");
    }

    @Test
    void aCodeOtherThanZeroOrOneIsRejected() {
        assertThatThrownBy(() -> Admission.decode(body(7, ""))).isInstanceOf(ProtocolException.class)
                .hasMessage("ADMISSION: code 7, expected 0 (admitted) or 1 (refused)");
    }

    @Test
    void anAdmissionCarryingTextIsRejected() {
        assertThatThrownBy(() -> Admission.decode(body(0, "x"))).isInstanceOf(ProtocolException.class)
                .hasMessage("ADMISSION: an admission with 1 bytes of reason, expected none");
    }

    @Test
    void aRefusalWithoutAReasonOrWithTooLongAOneIsRejected() {
        assertThatThrownBy(() -> Admission.decode(body(1, ""))).isInstanceOf(ProtocolException.class)
                .hasMessage("ADMISSION: a refusal with 0 bytes of reason, expected 1..1024");
        assertThatThrownBy(() -> Admission.decode(body(1, "x".repeat(1025)))).isInstanceOf(ProtocolException.class)
                .hasMessage("ADMISSION: a refusal with 1025 bytes of reason, expected 1..1024");
    }

    @Test
    void aShortBodyIsRejected() {
        assertThatThrownBy(() -> Admission.decode(new Frame(FrameType.ADMISSION, new byte[3])))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("ADMISSION: the frame is too short (3 bytes)");
    }

    @Test
    void aSourceGoesOnAfterAnAdmission() throws Exception {
        Admission.await(new BytesChannel(wire(new Admission(true, "").encode()), 3));
    }

    @Test
    void aSourceThatIsRefusedFailsQuotingTheDestinationsReason() {
        byte[] refusal = wire(new Admission(false, "the identity 'CN=x' is not allowed").encode());

        assertThatThrownBy(() -> Admission.await(new BytesChannel(refusal, 5)))
                .isInstanceOfSatisfying(TlsHandshakeException.class,
                        e -> assertThat(e.reason()).isEqualTo(TlsHandshakeException.Reason.REFUSED_BY_PEER))
                .hasMessage("the destination refused this source after the TLS handshake: \"the identity 'CN=x' is"
                        + " not allowed\"");
    }

    @Test
    void aDestinationThatHangsUpWithoutAnsweringFailsTheSource() {
        assertThatThrownBy(() -> Admission.await(new BytesChannel(new byte[0], 1))).isInstanceOf(IOException.class)
                .hasMessage("the destination closed the connection after the TLS handshake without answering it (no"
                        + " ADMISSION frame)");
    }

    @Test
    void anAnswerLongerThanAnyAdmissionIsRefusedBeforeItIsRead() {
        byte[] header = ByteBuffer.allocate(8).putShort((short) FrameType.ADMISSION.code()).putShort((short) 0)
                .putInt(5000).array();

        assertThatThrownBy(() -> Admission.await(new BytesChannel(header, 8))).isInstanceOf(ProtocolException.class)
                .hasMessage("TLS admission, ADMISSION: body length 5000 exceeds 1028");
    }

    /** {@return the frame as it travels: header and body} */
    private static byte[] wire(Frame frame) {
        return ByteBuffer.allocate(8 + frame.body().length).putShort((short) frame.type().code()).putShort((short) 0)
                .putInt(frame.body().length).put(frame.body()).array();
    }

    private static Frame body(int code, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new Frame(FrameType.ADMISSION, ByteBuffer.allocate(4 + bytes.length).putInt(code).put(bytes).array());
    }
}
