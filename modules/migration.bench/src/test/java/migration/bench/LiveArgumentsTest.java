package migration.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The options of {@code multifd bench --live}: dirty rates, trackers, and the order the rows run in. */
class LiveArgumentsTest {

    @Test
    void ratesAreZeroBytesPerSecondOrAShareOfTheBandwidth() {
        assertThat(BenchArguments.parseDirtyRates("0, 64m,1g/s,25%")).containsExactly(new DirtyRate(0, 0),
                new DirtyRate(64L << 20, 0), new DirtyRate(1L << 30, 0), new DirtyRate(0, 25));
    }

    @Test
    void aRateThatIsNoneOfThoseIsRefusedNamingTheOptionAndTheElement() {
        assertThatThrownBy(() -> BenchArguments.parseDirtyRates("0,fast"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--dirty-rates expects a comma-separated list of dirty rates")
                .hasMessageEndingWith("but got '0,fast' ('fast' is not one)");
        assertThatThrownBy(() -> BenchArguments.parseDirtyRates("0%")).hasMessageContaining("('0%' is not one)");
        assertThatThrownBy(() -> BenchArguments.parseDirtyRates("1001%")).hasMessageContaining("'1001%' is not one");
    }

    @Test
    void aRateReadsAsTypedAndResolvesAgainstTheBandwidth() {
        assertThat(List.of("0", "64m", "1g", "25%", "5000")).allSatisfy(text ->
                assertThat(DirtyRate.parse(text).label()).isEqualTo(text));
        assertThat(DirtyRate.parse("25%").resolve(400L << 20)).isEqualTo(100L << 20);
        assertThat(DirtyRate.parse("64m").resolve(400L << 20)).isEqualTo(64L << 20);
    }

    @Test
    void trackersAreTheThreeKnownOnes() {
        assertThat(BenchArguments.parseTrackers("portable,linux")).containsExactly("portable", "linux");
        assertThatThrownBy(() -> BenchArguments.parseTrackers("linux,soft-dirty"))
                .hasMessage("--trackers expects a comma-separated list of linux, portable, application, but got"
                        + " 'linux,soft-dirty' ('soft-dirty' is not one)");
    }

    @Test
    void aRateRelativeToTheBandwidthRunsAfterARowAtRateZeroWhichIsAddedIfMissing() {
        LiveOptions options = options(List.of(DirtyRate.parse("25%"), DirtyRate.parse("64m")));

        assertThat(options.schedule()).containsExactly(DirtyRate.parse("0"), DirtyRate.parse("25%"),
                DirtyRate.parse("64m"));
        assertThat(options(List.of(DirtyRate.parse("25%"), DirtyRate.parse("0"))).schedule())
                .containsExactly(DirtyRate.parse("0"), DirtyRate.parse("25%"));
    }

    @Test
    void absoluteRatesRunInTheOrderGiven() {
        List<DirtyRate> rates = List.of(DirtyRate.parse("1g"), DirtyRate.parse("0"));

        assertThat(options(rates).schedule()).isEqualTo(rates);
    }

    @Test
    void theWorkersSpecSurvivesTheCommandLine() {
        LiveWorker.Spec spec = new LiveWorker.Spec("application", 64L << 20, 4, 16L << 20, 40123, 300, true, false);

        assertThat(LiveWorker.Spec.parse(spec.toArgument())).isEqualTo(spec);
        assertThatThrownBy(() -> LiveWorker.Spec.parse("tracker=linux,size=big"))
                .hasMessage("malformed --live-worker value 'tracker=linux,size=big'");
    }

    private static LiveOptions options(List<DirtyRate> rates) {
        return new LiveOptions(64L << 20, List.of(2), List.of("linux"), rates, 300, true, false, null);
    }
}
