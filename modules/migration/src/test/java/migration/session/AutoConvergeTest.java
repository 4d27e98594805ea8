package migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import migration.LiveParameters;
import org.junit.jupiter.api.Test;

class AutoConvergeTest {

    private static final LiveParameters ON = LiveParameters.defaults().withAutoConverge(true);

    @Test
    void theFirstThrottleComesAtTheSecondRoundThatDirtiedMoreThanHalfOfWhatItSent() {
        AutoConverge converge = new AutoConverge(ON);
        assertThat(converge.afterRound(600, 1000)).isZero();
        assertThat(converge.afterRound(600, 1000)).isEqualTo(20);
    }

    @Test
    void roundsAtOrBelowTheThresholdNeverThrottle() {
        AutoConverge converge = new AutoConverge(ON);
        for (int i = 0; i < 10; i++) {
            assertThat(converge.afterRound(500, 1000)).isZero();
        }
    }

    @Test
    void eachFurtherPairOfHighRoundsAddsTheIncrementUpToTheMaximum() {
        AutoConverge converge = new AutoConverge(ON);
        int percent = 0;
        StringBuilder steps = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            int next = converge.afterRound(Long.MAX_VALUE / 2, Long.MAX_VALUE / 2);
            if (next != percent) {
                steps.append(next).append(' ');
                percent = next;
            }
        }
        assertThat(steps.toString().strip()).isEqualTo("20 30 40 50 60 70 80 90 99");
        assertThat(converge.atMaximum()).isTrue();
    }

    @Test
    void withAutoConvergeOffNothingIsThrottled() {
        AutoConverge converge = new AutoConverge(LiveParameters.defaults());
        for (int i = 0; i < 10; i++) {
            assertThat(converge.afterRound(1000, 1)).isZero();
        }
        assertThat(converge.atMaximum()).isFalse();
    }
}
