package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testkit.JsonReader;
import testkit.Tier;

/**
 * {@code multifd demo --handover} through the image's launcher: two processes on this host, the source's memfd
 * handed to the destination ({@code multifd receive}, started by the demo) with writers running, and the
 * destination's memory compared with the source's final memory.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Tier.Image
class HandoverDemoTest {

    private static void assumeLinux() {
        assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux"),
                "handover needs Linux (memfd, SCM_RIGHTS), this is " + System.getProperty("os.name"));
    }

    @Test
    void theDemoHandsTheMemoryOverToAnotherProcessAndItsMemoryIsTheSourcesFinalMemory() {
        assumeLinux();
        Launcher.Result run = Launcher.run("demo", "--handover", "--size", "64m");

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).as(run.describe())
                .startsWith("multifd demo: handed 64.00 MiB over to process ")
                .contains("owner       the destination: the memory was handed over")
                .contains("0 pages of 4096 bytes")
                .contains("handover    the destination's memory is the source's final memory (CRC32C 0x")
                .contains("none expected: no round measured the bandwidth")
                .containsPattern("released    the source's mapping made read-only in \\d+ ms, after COMMIT");
    }

    @Test
    void withJsonItGivesTheDowntimeAndVerifiedAsTheOtherDemos() {
        assumeLinux();
        Launcher.Result run = Launcher.run("demo", "--handover", "--size", "64m", "--json");

        assertThat(run.exitCode()).as(run.describe()).isZero();
        Map<String, Object> stats = JsonReader.object(run.out());
        assertThat(stats).containsEntry("status", "completed").containsEntry("verified", true)
                .containsEntry("ownership", "destination").containsKey("downtime").containsKey("write-protect-time");
        @SuppressWarnings("unchecked")
        Map<String, Object> ram = (Map<String, Object>) stats.get("ram");
        assertThat(ram).containsEntry("normal", 0L).containsEntry("total", 64L << 20);
    }

    @Test
    void withLiveItIsAUsageError() {
        Launcher.Result run = Launcher.run("demo", "--handover", "--live");

        assertThat(run.exitCode()).as(run.describe()).isEqualTo(2);
    }
}
