package migration.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchResultTest {

    private static final long GIB = 1L << 30;
    private static final Configuration CONFIGURATION = new Configuration(Mode.LINUX_ZERO_COPY, 2,
            DestinationKind.PRE_TOUCHED, false, false, true);

    private static SideReport side(double cpuSeconds, double wallSeconds, long sends, long copied, long jit) {
        return new SideReport((long) (cpuSeconds * 1e9), (long) (wallSeconds * 1e9), 2 * GIB, sends, copied, jit);
    }

    @Test
    void severalRunsGiveTheMedianOfEachFigureTheSumOfSendsAndTheLargestJitTime() {
        BenchResult result = BenchResult.measured(CONFIGURATION,
                List.of(side(0.9, 1.0, 10, 10, 4), side(0.5, 4.0, 20, 19, 0), side(0.7, 2.0, 30, 30, 1)),
                List.of(side(0.3, 1.0, 0, 0, 0), side(0.1, 4.0, 0, 0, 9), side(0.2, 2.0, 0, 0, 2)));

        assertThat(result.seconds()).isCloseTo(2.0, within(1e-9));
        assertThat(result.gibPerSecond()).isCloseTo(1.0, within(1e-9));
        assertThat(result.cpuSecondsSrc()).isCloseTo(0.7, within(1e-9));
        assertThat(result.cpuSecondsDst()).isCloseTo(0.2, within(1e-9));
        assertThat(result.zeroCopySends()).isEqualTo(60);
        assertThat(result.zeroCopyCopied()).isEqualTo(59);
        assertThat(result.jitMillisSrc()).isEqualTo(4);
        assertThat(result.jitMillisDst()).isEqualTo(9);
        assertThat(result.runs()).hasSize(3);
        assertThat(result.gibPerSecondRange()).containsExactly(0.5, 2.0);
    }

    @Test
    void anEvenNumberOfRunsTakesTheMeanOfTheMiddleTwo() {
        BenchResult result = BenchResult.measured(CONFIGURATION, List.of(side(1, 1, 0, 0, 0), side(2, 3, 0, 0, 0)),
                List.of(side(1, 1, 0, 0, 0), side(1, 3, 0, 0, 0)));
        assertThat(result.seconds()).isCloseTo(2.0, within(1e-9));
        assertThat(result.cpuSecondsSrc()).isCloseTo(1.5, within(1e-9));
    }

    @Test
    void runsWithoutAMatchingReportAreRefused() {
        assertThatThrownBy(() -> BenchResult.measured(CONFIGURATION, List.of(side(1, 1, 0, 0, 0)), List.of()))
                .hasMessage("need one source and one destination report per run, but got 1 and 0");
        assertThatThrownBy(() -> BenchResult.measured(CONFIGURATION, List.of(), List.of()))
                .hasMessage("need one source and one destination report per run, but got 0 and 0");
    }
}
