package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import testkit.JsonReader;

/**
 * The image runs the benchmark (module migration.bench) as {@code multifd bench}: the tool finds it, and its cold
 * rows start the image's own launcher, the ceiling's processes as {@code multifd bench cold-ceiling}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BenchFromImageTest {

    @Test
    void theLauncherRunsTheBenchmarkAndItsHelp() {
        Launcher.Result run = Launcher.run("bench", "--help");

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).startsWith("Usage: multifd bench ").contains("--modes", "--live", "--cold-dir");
    }

    @Test
    void theToolsHelpListsTheBenchmark() {
        Launcher.Result run = Launcher.run("--help");

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).containsPattern("(?m)^  bench +Measures migration throughput");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aTinyColdRunFromTheImageMeasuresTheToolAndItsCeilingAsFreshProcesses(@TempDir Path dir) throws Exception {
        assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux"),
                "the cold rows read /proc, this is " + System.getProperty("os.name"));
        Path files = Files.createDirectory(dir.resolve("files"));

        Launcher.Result run = Launcher.run("bench", "--modes", "cold,cold-ceiling", "--destinations", "fresh",
                "--size", "8m", "--channels", "2", "--repeat", "1", "--cold-dir", files.toString(), "--json",
                "--output", dir.resolve("cold.md").toString());

        assertThat(run.exitCode()).as(run.describe()).isZero();
        List<Map<String, Object>> cold = (List<Map<String, Object>>) JsonReader.object(run.out()).get("cold");
        assertThat(cold).extracting(r -> r.get("mode")).containsExactly("cold-ceiling", "cold");
        assertThat(cold).allSatisfy(r -> {
            assertThat(r).as("measured, not skipped: %s", r).containsEntry("bytes", 8388608L);
            assertThat((Double) r.get("before-window-cpu-s-dst")).as("the receiver's start-up, sampled").isPositive();
        });
        assertThat(files).as("the source and destination files are deleted").isEmptyDirectory();
    }
}
