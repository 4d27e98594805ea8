package migration.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class RoundReceivedTest {

    @Test
    void aRoundSurvivesEncodeAndDecode() throws Exception {
        Frame frame = new RoundReceived(7).encode();
        assertThat(frame.type()).isEqualTo(FrameType.ROUND_RECEIVED);
        assertThat(frame.body()).containsExactly(0, 0, 0, 7);
        assertThat(RoundReceived.decode(frame, 7)).isEqualTo(new RoundReceived(7));
    }

    @Test
    void aShortBodyIsAProtocolErrorNamingTheField() {
        assertThatThrownBy(() -> RoundReceived.decode(new Frame(FrameType.ROUND_RECEIVED, new byte[] {0, 1}), 1))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("main channel, ROUND_RECEIVED: the body has 2 bytes, expected 4 (the round)");
    }

    @Test
    void anotherRoundThanTheOneTheSourceWaitsForIsAProtocolError() {
        Frame frame = new Frame(FrameType.ROUND_RECEIVED, ByteBuffer.allocate(4).putInt(3).array());
        assertThatThrownBy(() -> RoundReceived.decode(frame, 2))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("main channel, ROUND_RECEIVED: round 3, expected 2 (the round the source ended last)");
    }

    @Test
    void aReceiptWhenNoRoundEndedIsAProtocolError() {
        assertThatThrownBy(() -> RoundReceived.decode(new RoundReceived(1).encode(), 0))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("main channel, ROUND_RECEIVED: round 1, expected none (no round has ended)");
    }
}
