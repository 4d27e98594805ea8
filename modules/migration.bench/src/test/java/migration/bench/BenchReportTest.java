package migration.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import testkit.JsonReader;

class BenchReportTest {

    private static final long GIB = 1L << 30;
    private static final Machine MACHINE = new Machine(2, "6.18.44", "Test CPU", "madvise", "linux (untouched mappings)");

    private static Configuration config(Mode mode, int channels, DestinationKind destination) {
        return new Configuration(mode, channels, destination, true, true, true);
    }

    /** A result moving {@code gib} GiB in {@code seconds} with the given CPU seconds per side. */
    private static BenchResult result(Configuration c, double gib, double seconds, double cpuSrc, double cpuDst) {
        long bytes = (long) (gib * GIB);
        return BenchResult.measured(c, new SideReport((long) (cpuSrc * 1e9), (long) (seconds * 1e9), bytes, 0, 0, 3),
                new SideReport((long) (cpuDst * 1e9), (long) (seconds * 1e9), bytes, 0, 0, 0));
    }

    @Test
    void throughputAndCpuArePerGibibyte() {
        BenchResult r = result(config(Mode.LINUX_COPY, 2, DestinationKind.FRESH), 2, 0.5, 0.6, 0.4);
        assertThat(r.gibPerSecond()).isCloseTo(4.0, within(1e-9));
        assertThat(r.cpuPerGibSrc()).isCloseTo(0.3, within(1e-9));
        assertThat(r.cpuPerGibDst()).isCloseTo(0.2, within(1e-9));
        assertThat(r.cpuPerGibTotal()).isCloseTo(0.5, within(1e-9));
    }

    @Test
    void percentAndCpuRatioCompareWithTheCeiling() {
        BenchResult ceiling = result(config(Mode.CEILING, 1, DestinationKind.FRESH), 2, 0.5, 0.4, 0.4);
        BenchResult migration = result(config(Mode.COPY_PROVIDER, 2, DestinationKind.FRESH), 2, 0.625, 0.6, 0.4);
        assertThat(migration.percentOf(ceiling)).isCloseTo(80.0, within(1e-9));
        assertThat(migration.cpuRatioTo(ceiling)).isCloseTo(1.25, within(1e-9));
    }

    @Test
    void aSkippedResultHasNoFigures() {
        BenchResult skipped = BenchResult.skipped(config(Mode.LINUX_COPY, 1, DestinationKind.FRESH), "no linux");
        assertThat(skipped.isMeasured()).isFalse();
        assertThat(skipped.gibPerSecond()).isZero();
        assertThat(skipped.percentOf(skipped)).isNaN();
    }

    @Test
    void eachRowIsComparedWithTheFastestCeilingIntoTheSameKindOfMemory() {
        BenchResult slowCeiling = result(config(Mode.CEILING, 1, DestinationKind.FRESH), 2, 1.0, 0.4, 0.4);
        BenchResult fastCeiling = result(config(Mode.CEILING, 2, DestinationKind.FRESH), 2, 0.5, 0.4, 0.4);
        BenchResult touchedCeiling = result(config(Mode.CEILING, 1, DestinationKind.PRE_TOUCHED), 2, 0.25, 0.3, 0.3);
        BenchResult migration = result(config(Mode.COPY_PROVIDER, 2, DestinationKind.FRESH), 2, 1.0, 0.5, 0.5);
        BenchReport report = new BenchReport("2026-01-01T00:00:00Z", "multifd bench", MACHINE, 2 * GIB,
                List.of(slowCeiling, fastCeiling, touchedCeiling, migration));
        assertThat(report.ceilingFor(migration)).contains(fastCeiling);
        assertThat(report.markdownTable()).contains("| copy-provider | 2 | fresh, THP, prefault | 2.00 | 50% | 0.250 | 0.250 | 3 / 0 | — |");
    }

    @Test
    void theVerdictIsMetOnlyWithinBothTargets() {
        BenchResult ceiling = result(config(Mode.CEILING, 1, DestinationKind.PRE_TOUCHED), 2, 0.5, 0.4, 0.4);
        BenchResult fast = result(config(Mode.LINUX_COPY, 4, DestinationKind.PRE_TOUCHED), 2, 0.6, 0.5, 0.5);
        BenchResult hungry = result(config(Mode.LINUX_COPY, 8, DestinationKind.PRE_TOUCHED), 2, 0.55, 1.0, 1.0);
        BenchReport met = new BenchReport("d", "c", MACHINE, 2 * GIB, List.of(ceiling, fast));
        BenchReport notMet = new BenchReport("d", "c", MACHINE, 2 * GIB, List.of(ceiling, fast, hungry));
        assertThat(met.verdicts()).singleElement().satisfies(v -> {
            assertThat(v.best()).isEqualTo(fast);
            assertThat(v.percent()).isCloseTo(83.33, within(0.01));
            assertThat(v.met()).isTrue();
        });
        assertThat(notMet.verdicts()).singleElement().satisfies(v -> {
            assertThat(v.best()).isEqualTo(hungry);
            assertThat(v.cpuRatio()).isCloseTo(2.5, within(1e-9));
            assertThat(v.met()).isFalse();
            assertThat(v.describe()).endsWith("target NOT met");
        });
    }

    @Test
    void theMarkdownTableHasOneRowPerConfigurationAndSaysWhySomethingWasSkipped() {
        BenchResult ceiling = result(config(Mode.CEILING, 1, DestinationKind.FRESH), 2, 0.5, 0.4, 0.4);
        BenchResult skipped = BenchResult.skipped(config(Mode.LINUX_ZERO_COPY, 1, DestinationKind.FRESH),
                "the Linux provider (module io.channel.linux) is not in this runtime");
        String table = new BenchReport("d", "c", MACHINE, 2 * GIB, List.of(ceiling, skipped)).markdownTable();
        assertThat(table.lines()).hasSize(4);
        assertThat(table.lines().findFirst()).contains("| mode | channels | destination | GiB/s | % of ceiling |"
                + " CPU-s/GiB src | CPU-s/GiB dst | JIT ms src/dst | zero-copy |");
        assertThat(table).contains("| ceiling | 1 | fresh, THP | 4.00 | 100% | 0.200 | 0.200 | 3 / 0 | — |")
                .contains("| linux-zero-copy | 1 | fresh, THP, prefault | skipped: the Linux provider (module"
                        + " io.channel.linux) is not in this runtime |");
    }

    @Test
    void aRepeatedConfigurationShowsItsMedianAndRangeAndTheRunsAreNamed() {
        Configuration c = config(Mode.COPY_PROVIDER, 1, DestinationKind.PRE_TOUCHED);
        BenchResult repeated = BenchResult.measured(c,
                List.of(new SideReport(100_000_000L, 1_000_000_000L, 2 * GIB, 0, 0, 0),
                        new SideReport(100_000_000L, 2_000_000_000L, 2 * GIB, 0, 0, 0),
                        new SideReport(100_000_000L, 500_000_000L, 2 * GIB, 0, 0, 0)),
                List.of(new SideReport(100_000_000L, 1_000_000_000L, 2 * GIB, 0, 0, 0),
                        new SideReport(100_000_000L, 2_000_000_000L, 2 * GIB, 0, 0, 0),
                        new SideReport(100_000_000L, 500_000_000L, 2 * GIB, 0, 0, 0)));
        String markdown = new BenchReport("d", "c", MACHINE, 2 * GIB, List.of(repeated)).markdown();
        assertThat(markdown).contains("| copy-provider | 1 | pre-touched, THP | 2.00 (1.00–4.00) | — |")
                .contains("- runs: each configuration measured 3 times after its warm-up; the figures are medians");
    }

    @Test
    void theJsonHasOneObjectPerConfigurationWithTheIssuesFieldNames() {
        Configuration zc = config(Mode.LINUX_ZERO_COPY, 2, DestinationKind.PRE_TOUCHED);
        BenchResult zeroCopy = BenchResult.measured(zc, new SideReport(500_000_000L, 1_000_000_000L, 2 * GIB, 4100,
                4100, 12), new SideReport(300_000_000L, 1_000_000_000L, 2 * GIB, 0, 0, 5));
        BenchResult ceiling = result(config(Mode.CEILING, 2, DestinationKind.PRE_TOUCHED), 2, 0.5, 0.4, 0.4);
        String json = new BenchReport("d", "multifd bench --json", MACHINE, 2 * GIB, List.of(ceiling, zeroCopy))
                .json();
        assertThat(json).startsWith("{").contains("\"results\":[")
                .contains("\"mode\":\"linux-zero-copy\"", "\"channels\":2", "\"destination\":\"pre-touched\"",
                        "\"bytes\":2147483648", "\"seconds\":1.0", "\"gib-per-s\":2.0",
                        "\"cpu-s-per-gib-src\":0.25", "\"cpu-s-per-gib-dst\":0.15", "\"zero-copy-copied\":4100",
                        "\"percent-of-ceiling\":50.0", "\"jit-ms-src\":12", "\"jit-ms-dst\":5");
        assertThat(json.split("\"mode\":", -1)).hasSize(3);
        assertThat(json.split("zero-copy-copied", -1)).as("only the zero-copy mode reports copies").hasSize(2);
    }

    @Test
    void theColdTableGivesMediansOfEachFigureAndTheRangeOfGibPerSecond() {
        ColdResult cold = new ColdResult(coldConfig(Mode.COLD, 2, DestinationKind.PRE_TOUCHED, false), 2 * GIB, List.of(
                new ColdResult.Run(1.0, 1.5, 1.0, 2.0, 50_000, 540_000, new ColdResult.Window(0.3, 0.5, 0.7, 1.5)),
                new ColdResult.Run(0.5, 1.0, 0.8, 1.0, 40_000, 20_000, new ColdResult.Window(0.2, 0.4, 0.6, 0.6)),
                new ColdResult.Run(2.0, 2.5, 1.2, 3.0, 60_000, 30_000, new ColdResult.Window(0.4, 0.6, 0.8, 2.4))),
                null);
        BenchReport report = new BenchReport("d", "multifd bench --modes cold", MACHINE, 2 * GIB, List.of(),
                List.of(cold, ColdResult.skipped(coldConfig(Mode.COLD, 4, DestinationKind.FRESH, false),
                        "failed: no space")));

        assertThat(report.coldTable()).contains(
                "| cold | 2 | pre-touched | 2.00 (1.00–4.00) | — | — | 1.000 | 1.500 | 1.00 | 2.00 | 1.500 | 0.70 | 1.50 | 1.100"
                        + " | 0.30 | 0.50 | 50000 | 30000 |",
                "| cold | 4 | fresh | skipped: failed: no space |");
        assertThat(report.markdown()).contains("## Cold one-shot").doesNotContain("## Steady state", "% of ceiling");
    }

    @Test
    void theColdJsonGivesEachProcessCpuInsideAndBeforeItsMigrationWindow() {
        ColdResult cold = new ColdResult(coldConfig(Mode.COLD, 2, DestinationKind.FRESH, false), 2 * GIB, List.of(
                new ColdResult.Run(1.0, 1.5, 1.0, 2.0, 50_000, 20_000, new ColdResult.Window(0.3, 0.5, 0.7, 1.5))),
                null);
        BenchReport report = new BenchReport("d", "multifd bench --modes cold", MACHINE, 2 * GIB, List.of(),
                List.of(cold));

        Map<String, Object> row = coldRows(report).getFirst();

        assertThat(row).containsEntry("window-cpu-s-src", 0.7).containsEntry("window-cpu-s-dst", 1.5)
                .containsEntry("window-cpu-s-per-gib-total", 1.1).containsEntry("before-window-cpu-s-src", 0.3)
                .containsEntry("before-window-cpu-s-dst", 0.5);
        @SuppressWarnings("unchecked")
        Map<String, Object> run = ((List<Map<String, Object>>) row.get("runs")).getFirst();
        assertThat(run).containsEntry("window-cpu-s-src", 0.7).containsEntry("before-window-cpu-s-dst", 0.5);
    }

    private static ColdConfiguration coldConfig(Mode mode, int channels, DestinationKind destination,
                                                boolean inPlace) {
        return new ColdConfiguration(mode, channels, destination, inPlace);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> coldRows(BenchReport report) {
        return (List<Map<String, Object>>) JsonReader.object(report.json()).get("cold");
    }
}
