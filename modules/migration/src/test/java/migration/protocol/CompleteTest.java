package migration.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CompleteTest {

    @Test
    void completeSurvivesEncodeAndDecode() throws Exception {
        Complete decoded = Complete.decode(new Complete(2, 17, new int[] {5, 6}).encode(), 2);
        assertThat(decoded.rounds()).isEqualTo(2);
        assertThat(decoded.dataPackets()).isEqualTo(17);
        assertThat(decoded.digests()).containsExactly(5, 6);
    }

    @Test
    void theRoundCountMustBeTheRoundEndsBeforeItPlusOne() throws Exception {
        new Complete(3, 0, null).checkRounds(2);
        assertThatThrownBy(() -> new Complete(2, 0, null).checkRounds(0)).isInstanceOf(ProtocolException.class)
                .hasMessage("main channel, COMPLETE: round count 2, but the source ended 0 rounds with ROUND_END"
                        + " before it, so expected 1");
    }
}
