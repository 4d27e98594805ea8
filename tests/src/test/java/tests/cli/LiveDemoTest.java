package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testkit.JsonReader;
import testkit.Tier;

/**
 * {@code multifd demo --live}: writers dirty the memory while it moves. A downtime limit far above anything the
 * machine can take makes the switchover come right after round 1, whatever the machine's speed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Tier.Image
class LiveDemoTest {

    private static void assumeLinux() {
        assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux"),
                "the Linux provider works on Linux only, this is " + System.getProperty("os.name"));
    }

    @Test
    void theLiveDemoShowsItsRoundsDowntimeThrottleAndTracker() {
        assumeLinux();
        Launcher.Result run = Launcher.run("demo", "--live", "--size", "64m", "--dirty-rate", "16m",
                "--downtime-limit", "3600000");

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).as(run.describe())
                .startsWith("multifd demo: migrated 64.00 MiB")
                .contains("completed, digests verified by the destination")
                .contains("live        switch over at 3600000 ms expected downtime")
                // Round 1 switches over only if nothing was dirtied during it; otherwise round 2 decides.
                .containsPattern("rounds      [23] \\(switched over: expected downtime \\d+ ms, within the downtime limit of"
                        + " 3600000 ms\\)")
                .contains("round 1   16,384 pages sent")
                .contains("downtime    ")
                .contains("throttle    none")
                .containsPattern("tracker     ram0: (linux|portable) \\(");
    }

    @SuppressWarnings("unchecked")
    @Test
    void theLiveDemoAsJsonCarriesQemusLiveNames() {
        assumeLinux();
        Launcher.Result run = Launcher.run("demo", "--live", "--size", "16m", "--dirty-rate", "4m",
                "--downtime-limit", "3600000", "--json");

        assertThat(run.exitCode()).as(run.describe()).isZero();
        Map<String, Object> json = (Map<String, Object>) JsonReader.parse(run.out());
        assertThat(json).containsKeys("expected-downtime", "downtime", "cpu-throttle-percentage");
        Map<String, Object> ram = (Map<String, Object>) json.get("ram");
        assertThat(ram).containsKeys("dirty-pages-rate", "dirty-sync-count");
        Map<String, Object> live = (Map<String, Object>) json.get("live");
        assertThat(live).containsEntry("live", true);
        // Round 1 switches over only if the writers dirtied nothing during it; otherwise round 2 decides. One
        // dirty sync per round either way.
        List<Object> rounds = (List<Object>) live.get("rounds");
        assertThat(rounds).hasSizeBetween(2, 3);
        assertThat(ram).containsEntry("dirty-sync-count", (long) rounds.size());
    }
}
