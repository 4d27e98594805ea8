package migration.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ResultTest {

    @Test
    void aSuccessSurvivesEncodeAndDecode() throws Exception {
        assertThat(Result.decode(new Result(true, true, "").encode())).isEqualTo(new Result(true, true, ""));
    }

    @Test
    void thePeersMessageIsDecodedEscapedAndQuoted() throws Exception {
        Result result = Result.decode(new Result(false, false, "\u001b[2Jmigration completed\n").encode());
        assertThat(result.ok()).isFalse();
        assertThat(result.message()).isEqualTo("\"\\x1b[2Jmigration completed\\n\"");
    }

    @Test
    void aCodeOtherThanZeroOrOneIsRejected() {
        Frame frame = new Frame(FrameType.RESULT, new byte[] {0, 0, 0, 2, 0, 0, 0, 0});
        assertThatThrownBy(() -> Result.decode(frame)).isInstanceOf(ProtocolException.class)
                .hasMessage("main channel, RESULT: code 2 / verified 0, expected 0 or 1 each");
    }

    @Test
    void aShortBodyIsRejected() {
        assertThatThrownBy(() -> Result.decode(new Frame(FrameType.RESULT, new byte[4])))
                .hasMessage("main channel, RESULT: the frame is too short (4 bytes)");
    }
}
