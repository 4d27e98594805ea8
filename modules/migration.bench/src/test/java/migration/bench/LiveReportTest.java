package migration.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import migration.LiveStats;
import org.junit.jupiter.api.Test;
import testkit.JsonReader;

/** What {@code multifd bench --live} writes: its figures, each next to its target, in Markdown and JSON. */
class LiveReportTest {

    private static final Machine MACHINE = new Machine(2, "6.18.44", "Test CPU", "madvise", "linux (untouched mappings)");
    private static final long SIZE = 2L << 30;

    private static final LiveStats.DowntimePhases PHASES = new LiveStats.DowntimePhases(400, 2600, 150_250, 1200,
            3100);

    private static LiveResult.Run run(long downtime, long expected, String convergence) {
        return new LiveResult.Run("completed", "", "linux (chosen)", 4200, 5, downtime, expected, convergence, 20,
                1L << 30, 1500, 2500, 123456, 900.5, PHASES, true);
    }

    private static final TrackerProbe.Cost FAST = new TrackerProbe.Cost("linux", 4096, 24, 1.2, 1.6, 1.5, 800, 45,
            600);

    private static LiveReport report(List<LiveResult> results) {
        LiveOptions options = new LiveOptions(SIZE, List.of(2), List.of("linux"), List.of(DirtyRate.parse("0"),
                DirtyRate.parse("25%")), 300, true, false, null);
        return new LiveReport("2026-11-26T18:00:00Z", "multifd bench --live", MACHINE, options,
                Map.of(2, 1L << 30), results);
    }

    private static LiveResult row(DirtyRate rate, LiveResult.Run run, TrackerProbe.Cost probe) {
        return new LiveResult("linux", 2, rate, rate.resolve(1L << 30), run, probe, null);
    }

    @Test
    void theTargetsAreMetWhenEveryFigureIsWithinItsOwn() {
        LiveReport report = report(List.of(row(DirtyRate.parse("0"), run(40, 0, "switched over: within"), FAST),
                row(DirtyRate.parse("25%"), run(250, 200, "switched over: within"), null)));

        assertThat(report.targets()).hasSize(5).allSatisfy(t -> assertThat(t.met()).as(t.describe()).isTrue());
        assertThat(report.targets()).extracting(LiveReport.Target::what).contains(
                "kernel tracker, one sync of 2 GiB ≤ 10 ms",
                "kernel tracker, a first write after a sync ≤ 1500 ns");
    }

    @Test
    void aDowntimeAbove1Point3TimesTheExpectedOneMissesItsTargetAlone() {
        LiveReport report = report(List.of(row(DirtyRate.parse("25%"), run(270, 200, "switched over: within"),
                null)));

        assertThat(report.targets()).extracting(LiveReport.Target::met).containsExactly(true, true, false);
    }

    @Test
    void aMigrationThatDidNotConvergeMissesEveryTargetOfItsRow() {
        LiveReport report = report(List.of(row(DirtyRate.parse("25%"), new LiveResult.Run("failed",
                "did not converge", "linux (chosen)", 9000, 100, -1, 900, "cannot converge: too fast", 99, 1L << 30,
                1500, 2500, 10, 900, LiveStats.DowntimePhases.NONE, false), null)));

        assertThat(report.targets()).extracting(LiveReport.Target::met).containsOnly(false);
        assertThat(report.markdown()).contains("| no: cannot converge: too fast |");
    }

    @Test
    void theMarkdownShowsEachTrackerAloneAndEachMigrationWithItsTargetsInTheHeaders() {
        LiveReport report = report(List.of(row(DirtyRate.parse("0"), run(40, 0, "switched over: within"), FAST),
                LiveResult.skipped("linux", 2, DirtyRate.parse("25%"), 0, "failed: it | broke")));

        String markdown = report.markdown();

        assertThat(markdown).contains("- migration bandwidth with 2 channel(s), for rates in %: 1024 MiB/s",
                "sync ms, pages dirty (target ≤ 10)", "first write after a sync, CPU ns (target ≤ 1500)",
                "| linux | 24.0 | 1.60, 4096 | 1.50 | 1.20 | 800 | 600 | 45 | 17.8× |",
                "downtime ms (target ≤ 300)", "downtime ÷ expected (target ≤ 1.3)",
                "| linux | 2 | 0 | 0 | completed | 4.20 | 5 | 40 | 0 | — | 0.4 / 2.6 / 150.3 / 1.2 / 3.1 | 1.50 / 2.50"
                        + " | 20% | yes | 901 | yes |",
                "| linux | 2 | 25% | 0 | skipped: failed: it / broke |",
                "- kernel tracker, a first write after a sync ≤ 1500 ns: 800 ns (untracked 45 ns; this platform's"
                        + " cheapest page fault, a zero-page read fault, costs 600 ns",
                "the write costs 1.33× it) — met");
        String header = markdown.lines().filter(l -> l.startsWith("| tracker | ch |")).findFirst().orElseThrow();
        String skipped = markdown.lines().filter(l -> l.contains("skipped:")).findFirst().orElseThrow();
        assertThat(skipped.chars().filter(c -> c == '|').count()).as("cells of a skipped row")
                .isEqualTo(header.chars().filter(c -> c == '|').count());
    }

    @Test
    @SuppressWarnings("unchecked")
    void theJsonCarriesEveryRowTheTrackersAndTheTargets() {
        LiveReport report = report(List.of(row(DirtyRate.parse("0"), run(40, 0, "switched over: within"), FAST),
                row(DirtyRate.parse("25%"), run(250, 200, "switched over: within"), null)));

        Map<String, Object> json = JsonReader.object(report.json());

        assertThat(json).containsEntry("size", SIZE).containsEntry("downtime-limit-ms", 300L);
        assertThat((List<Map<String, Object>>) json.get("trackers")).singleElement().satisfies(t ->
                assertThat(t).containsEntry("sync-ms", 1.6).containsEntry("first-write-tracked-cpu-ns", 800.0));
        List<Map<String, Object>> rows = (List<Map<String, Object>>) json.get("results");
        assertThat(rows).hasSize(2);
        assertThat(rows.get(1)).containsEntry("dirty-rate", "25%").containsEntry("writers-bytes-per-s", 256L << 20)
                .containsEntry("downtime", 250L).containsEntry("expected-downtime", 200L)
                .containsEntry("downtime-ratio", 1.25).containsEntry("converged", true)
                .containsEntry("verified", true);
        assertThat(rows.get(0)).containsEntry("downtime-ratio", null);
        assertThat((List<Map<String, Object>>) json.get("targets")).hasSize(5)
                .allSatisfy(t -> assertThat(t).containsEntry("met", true));
    }

    @Test
    void aRowWhoseTrackerWasReplacedSaysByWhichAndWhy() {
        LiveResult.Run run = new LiveResult.Run("completed", "", "portable (linux refused the block: no WP_ASYNC)",
                4200, 5, 250, 200, "switched over: within", 0, 1L << 30, 1500, 2500, 10, 900, PHASES, true);

        assertThat(report(List.of(row(DirtyRate.parse("64m"), run, null))).markdown())
                .contains("| linux → portable (linux refused the block: no WP_ASYNC) | 2 | 64m |");
        assertThat(report(List.of(row(DirtyRate.parse("64m"), run(250, 200, "switched over"), null))).markdown())
                .contains("| linux | 2 | 64m |");
    }

    @Test
    void aWorkersLineReadsBackIntoTheSameFigures() {
        LiveResult.Run run = new LiveResult.Run("failed", "did not converge: 5 ms", "portable (linux refused it)",
                4200, 5, -1, 900, "cannot converge: 12 pages", 99, 1L << 30, 1500, 2500, 123456, 900.5, PHASES, false);

        LiveResult parsed = LiveResult.parse(LiveResult.toLine(run, FAST), "linux", 2, DirtyRate.parse("1g"),
                1L << 30);

        assertThat(parsed.run()).isEqualTo(run);
        assertThat(parsed.probe()).isEqualTo(FAST);
        assertThat(LiveResult.parse(LiveResult.toLine(run, null), "linux", 2, DirtyRate.parse("1g"), 1L << 30)
                .probe()).isNull();
    }

    @Test
    void theKernelWriteTargetNamesThePlatformsFaultFloorBesideIt() {
        TrackerProbe.Cost slow = new TrackerProbe.Cost("linux", 4096, 24, 1.2, 1.6, 1.5, 1622, 26, 1120);

        LiveReport.Target write = report(List.of(row(DirtyRate.parse("0"), run(40, 0, "switched over"), slow)))
                .targets().get(1);

        assertThat(write.met()).isFalse();
        assertThat(write.describe()).isEqualTo("kernel tracker, a first write after a sync ≤ 1500 ns: 1622 ns"
                + " (untracked 26 ns; this platform's cheapest page fault, a zero-page read fault, costs 1120 ns: a"
                + " tracked first write is a write-protect fault, so the fault floor alone is within the target, and"
                + " the write costs 1.45× it) — NOT met");
    }

    @Test
    void aFloorNotMeasuredShowsADashAndNoWords() {
        TrackerProbe.Cost portable = new TrackerProbe.Cost("linux", 4096, 24, 1.2, 1.6, 1.5, 800, 45, Double.NaN);

        LiveReport report = report(List.of(row(DirtyRate.parse("0"), run(40, 0, "switched over"), portable)));

        assertThat(report.markdown()).contains("| linux | 24.0 | 1.60, 4096 | 1.50 | 1.20 | 800 | — | 45 | 17.8× |");
        assertThat(report.targets().get(1).measured()).isEqualTo("800 ns (untracked 45 ns)");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theJsonCarriesTheDowntimePhasesAndTheFaultFloor() {
        Map<String, Object> json = JsonReader.object(report(List.of(row(DirtyRate.parse("0"),
                run(40, 0, "switched over"), FAST))).json());

        Map<String, Object> row = ((List<Map<String, Object>>) json.get("results")).getFirst();
        assertThat((Map<String, Object>) row.get("downtime-phases-us")).containsEntry("pause-hook", 400L)
                .containsEntry("last-sync", 2600L).containsEntry("last-round", 150_250L)
                .containsEntry("complete", 1200L).containsEntry("result", 3100L);
        assertThat(((List<Map<String, Object>>) json.get("trackers")).getFirst())
                .containsEntry("zero-page-read-fault-cpu-ns", 600.0);
    }

    @Test
    void aRowThatNeverPausedShowsNoPhases() {
        assertThat(LiveReport.phases(LiveStats.DowntimePhases.NONE)).isEqualTo("—");
    }
}
