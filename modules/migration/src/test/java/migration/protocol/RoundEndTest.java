package migration.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class RoundEndTest {

    private static Frame body(byte[] bytes) {
        return new Frame(FrameType.ROUND_END, bytes);
    }

    @Test
    void aRoundSurvivesEncodeAndDecode() throws Exception {
        Frame frame = new RoundEnd(7).encode();
        assertThat(frame.type()).isEqualTo(FrameType.ROUND_END);
        assertThat(frame.body()).containsExactly(0, 0, 0, 7);
        assertThat(RoundEnd.decode(frame)).isEqualTo(new RoundEnd(7));
    }

    @Test
    void aShortBodyIsAProtocolErrorNamingTheField() {
        assertThatThrownBy(() -> RoundEnd.decode(body(new byte[] {0, 1})))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("main channel, ROUND_END: the body has 2 bytes, expected 4 (the round)");
    }

    @Test
    void anEmptyBodyIsAProtocolError() {
        assertThatThrownBy(() -> RoundEnd.decode(body(new byte[0])))
                .hasMessage("main channel, ROUND_END: the body has 0 bytes, expected 4 (the round)");
    }

    @Test
    void extraBytesAreAProtocolError() {
        assertThatThrownBy(() -> RoundEnd.decode(body(new byte[] {0, 0, 0, 1, 0})))
                .hasMessage("main channel, ROUND_END: the body has 5 bytes, expected 4 (the round)");
    }

    @Test
    void roundZeroIsAProtocolError() {
        assertThatThrownBy(() -> RoundEnd.decode(body(new byte[4])))
                .hasMessage("main channel, ROUND_END: round 0, expected 1..2147483647");
    }

    @Test
    void aRoundAboveTheSignedRangeIsReadAsUnsigned() {
        assertThatThrownBy(() -> RoundEnd.decode(body(ByteBuffer.allocate(4).putInt(-1).array())))
                .hasMessage("main channel, ROUND_END: round 4294967295, expected 1..2147483647");
    }

    @Test
    void anotherRoundThanTheNextIsAProtocolError() {
        assertThatThrownBy(() -> new RoundEnd(3).checkNext(2)).isInstanceOf(ProtocolException.class)
                .hasMessage("main channel, ROUND_END: round 3, expected 2 (the next round to end)");
    }

    @Test
    void theNextRoundPassesTheCheck() throws Exception {
        new RoundEnd(2).checkNext(2);
    }
}
