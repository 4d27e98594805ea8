package migration.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import testkit.JsonReader;

/** The cold one-shot rows beyond the default receive: {@code --in-place} over a pre-touched file, and TLS. */
class ColdRowsTest {

    private static final long GIB = 1L << 30;
    static final Machine MACHINE =
            new Machine(2, "6.18.44", "Test CPU", "madvise", "linux (untouched mappings)");

    static ColdConfiguration config(Mode mode, int channels, DestinationKind destination, boolean inPlace) {
        return new ColdConfiguration(mode, channels, destination, inPlace);
    }

    /**
     * A result of one run moving 2 GiB in {@code seconds} by total-time, with each whole process's CPU seconds,
     * and inside the migration windows {@code windowShare} of them.
     */
    static ColdResult result(ColdConfiguration c, double seconds, double cpuSrc, double cpuDst,
                                     double windowShare) {
        ColdResult.Window window = new ColdResult.Window(cpuSrc * (1 - windowShare), cpuDst * (1 - windowShare),
                cpuSrc * windowShare, cpuDst * windowShare);
        return new ColdResult(c, 2 * GIB, List.of(new ColdResult.Run(seconds, seconds + 0.5, cpuSrc, cpuDst, 1000,
                2000, window)), null);
    }

    static BenchOptions options(List<Mode> modes, List<DestinationKind> destinations) {
        return new BenchOptions(8L << 20, List.of(1, 2), modes, destinations, false, true, true, 0, 1, false, null,
                null);
    }

    @Test
    void tlsColdIsAColdModeParsedByItsLabelAndComparedWithCold() {
        assertThat(BenchArguments.parseModes("cold,tls-cold")).containsExactly(Mode.COLD, Mode.TLS_COLD);
        assertThat(Mode.TLS_COLD.cold()).isTrue();
        assertThat(Mode.TLS_COLD.tls()).isTrue();
        assertThat(Mode.TLS_COLD.withoutTls()).isEqualTo(Mode.COLD);
        assertThat(Mode.COLD.tls()).isFalse();
        assertThat(Mode.TLS_COPY_PROVIDER.cold()).isFalse();
    }

    @Test
    void anUnknownModeIsRefusedNamingTlsColdAmongTheModes() {
        assertThatThrownBy(() -> BenchArguments.parseModes("cold,tls-warm"))
                .hasMessageContaining("tls-cold")
                .hasMessageContaining("'tls-warm' is not one");
    }

    @Test
    void aPreTouchedFileIsMeasuredByDefaultAndInPlaceEachTlsRowRightAfterItsPlainTwin() {
        BenchOptions options = options(List.of(Mode.TLS_COLD, Mode.CEILING, Mode.COLD),
                List.of(DestinationKind.FRESH, DestinationKind.PRE_TOUCHED));
        assertThat(options.coldConfigurations()).extracting(ColdConfiguration::describe).containsExactly(
                "cold, 1 channel, fresh", "tls-cold, 1 channel, fresh",
                "cold, 2 channels, fresh", "tls-cold, 2 channels, fresh",
                "cold, 1 channel, pre-touched", "tls-cold, 1 channel, pre-touched",
                "cold, 2 channels, pre-touched", "tls-cold, 2 channels, pre-touched",
                "cold, 1 channel, pre-touched, --in-place", "tls-cold, 1 channel, pre-touched, --in-place",
                "cold, 2 channels, pre-touched, --in-place", "tls-cold, 2 channels, pre-touched, --in-place");
        assertThat(options.configurations()).as("cold modes are not steady-state configurations")
                .extracting(c -> c.mode()).containsOnly(Mode.CEILING);
    }

    @Test
    void tlsColdAloneMeasuresOnlyTheTlsRows() {
        BenchOptions options = options(List.of(Mode.TLS_COLD), List.of(DestinationKind.PRE_TOUCHED));
        assertThat(options.cold()).isTrue();
        assertThat(options.coldConfigurations()).allSatisfy(c -> assertThat(c.tls()).isTrue()).hasSize(4);
        assertThat(options.configurations()).isEmpty();
    }

    @Test
    void inPlaceIntoAnAbsentFileIsRefused() {
        assertThatThrownBy(() -> config(Mode.COLD, 2, DestinationKind.FRESH, true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--in-place needs an existing (pre-touched) destination file");
    }

    @Test
    void aSteadyStateModeIsNotAColdConfiguration() {
        assertThatThrownBy(() -> config(Mode.LINUX_COPY, 2, DestinationKind.FRESH, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a cold mode: linux-copy");
    }

    @Test
    void theColdTableLabelsTheInPlaceAndTlsRows() {
        BenchReport report = new BenchReport("d", "multifd bench --modes cold,tls-cold", MACHINE, 2 * GIB,
                List.of(), List.of(
                        result(config(Mode.COLD, 2, DestinationKind.PRE_TOUCHED, false), 1.0, 1.0, 1.0, 0.5),
                        result(config(Mode.COLD, 2, DestinationKind.PRE_TOUCHED, true), 0.5, 0.5, 0.5, 0.5),
                        result(config(Mode.TLS_COLD, 2, DestinationKind.PRE_TOUCHED, true), 1.0, 1.0, 1.0, 0.5)));

        assertThat(report.coldTable()).contains(
                "| cold | 2 | pre-touched | 2.00 | — | — | 1.000 |",
                "| cold | 2 | pre-touched, --in-place | 4.00 | — | — | 0.500 |",
                "| tls-cold | 2 | pre-touched, --in-place | 2.00 | — | — | 1.000 |");
        assertThat(report.markdown()).contains("tls-cold rows: the same cold runs with TLS 1.3",
                "--in-place (the existing file's own pages written where they are; not atomic)");
    }

    /** A cold TLS row's target is its own speed: 1.0 GiB/s in place, 0.7 GiB/s into a new file. */
    @Test
    void eachTlsColdRowIsComparedWithThePlainRowOfTheSameChannelsAndDestinationFile() {
        ColdResult plain = result(config(Mode.COLD, 2, DestinationKind.PRE_TOUCHED, false), 1.0, 1.0, 1.0, 0.5);
        ColdResult plainInPlace = result(config(Mode.COLD, 2, DestinationKind.PRE_TOUCHED, true), 0.5, 0.5, 0.5,
                0.5);
        ColdResult tls = result(config(Mode.TLS_COLD, 2, DestinationKind.PRE_TOUCHED, false), 2.0, 1.5, 1.5, 0.5);
        ColdResult tlsInPlace = result(config(Mode.TLS_COLD, 2, DestinationKind.PRE_TOUCHED, true), 2.5, 1.0, 1.0,
                0.5);
        BenchReport report = new BenchReport("d", "c", MACHINE, 2 * GIB, List.of(),
                List.of(plain, tls, plainInPlace, tlsInPlace));

        assertThat(report.coldTlsComparisons()).hasSize(2);
        BenchReport.TlsComparison<ColdResult> met = report.coldTlsComparisons().get(0);
        assertThat(met.plain()).isEqualTo(plain);
        assertThat(met.percent()).isCloseTo(50.0, within(1e-9));
        assertThat(met.cpuRatio()).isCloseTo(1.5, within(1e-9));
        assertThat(met.met()).isTrue();
        BenchReport.TlsComparison<ColdResult> notMet = report.coldTlsComparisons().get(1);
        assertThat(notMet.plain()).isEqualTo(plainInPlace);
        assertThat(notMet.percent()).isCloseTo(20.0, within(1e-9));
        assertThat(notMet.cpuRatio()).isCloseTo(2.0, within(1e-9));
        assertThat(notMet.met()).as("0.8 GiB/s in place").isFalse();
        assertThat(report.markdown()).contains("TLS against the same cold run without TLS:",
                "- tls-cold, 2 channels, pre-touched: 1.00 GiB/s, 50% of cold (2.00 GiB/s), 1.500 CPU-s/GiB both"
                        + " sides, TLS adds 0.500 (1.50× plain's 1.000): target (≥ 0.7 GiB/s) met",
                "- tls-cold, 2 channels, pre-touched, --in-place: 0.80 GiB/s, 20% of cold (4.00 GiB/s), 1.000"
                        + " CPU-s/GiB both sides, TLS adds 0.500 (2.00× plain's 0.500): target (≥ 1.0 GiB/s) NOT met");
        assertThat(report.tlsComparisons()).as("no steady-state rows").isEmpty();
    }

    @Test
    void aTlsColdRowWhosePlainTwinWasSkippedIsNotCompared() {
        ColdConfiguration plain = config(Mode.COLD, 1, DestinationKind.FRESH, false);
        ColdResult tls = result(config(Mode.TLS_COLD, 1, DestinationKind.FRESH, false), 2.0, 1.5, 1.5, 0.5);
        BenchReport report = new BenchReport("d", "c", MACHINE, 2 * GIB, List.of(),
                List.of(ColdResult.skipped(plain, "failed: no space"), tls));
        assertThat(report.coldTlsComparisons()).isEmpty();
        assertThat(report.markdown()).doesNotContain("TLS against");
    }

    @Test
    void theJsonGivesEachColdRowItsModeAndInPlaceAndListsTheColdTlsComparisons() {
        ColdResult plain = result(config(Mode.COLD, 4, DestinationKind.PRE_TOUCHED, true), 1.0, 1.0, 1.0, 0.5);
        ColdResult tls = result(config(Mode.TLS_COLD, 4, DestinationKind.PRE_TOUCHED, true), 4.0, 1.5, 1.5, 0.8);
        BenchReport report = new BenchReport("d", "c", MACHINE, 2 * GIB, List.of(), List.of(plain, tls));
        Map<String, Object> document = JsonReader.object(report.json());

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) document.get("cold");
        assertThat(rows).extracting(r -> r.get("mode")).containsExactly("cold", "tls-cold");
        assertThat(rows).allSatisfy(r -> assertThat(r).containsEntry("destination", "pre-touched")
                .containsEntry("in-place", true).containsEntry("channels", 4L));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> comparisons = (List<Map<String, Object>>) document.get("cold-tls");
        assertThat(comparisons).singleElement().satisfies(c -> {
            assertThat(c).containsEntry("mode", "tls-cold").containsEntry("plain-mode", "cold")
                    .containsEntry("channels", 4L).containsEntry("destination", "pre-touched")
                    .containsEntry("in-place", true).containsEntry("met", false);
            assertThat((Double) c.get("percent-of-plain")).isCloseTo(25.0, within(1e-9));
            assertThat((Double) c.get("cpu-s-per-gib-total")).isCloseTo(1.5, within(1e-9));
            assertThat((Double) c.get("cpu-ratio")).isCloseTo(1.5, within(1e-9));
            assertThat((Double) c.get("window-cpu-s-per-gib-total")).isCloseTo(1.2, within(1e-9));
            assertThat((Double) c.get("window-cpu-ratio")).isCloseTo(2.4, within(1e-9));
        });
        assertThat((List<?>) document.get("tls")).as("the steady-state comparisons").isEmpty();
    }
}
