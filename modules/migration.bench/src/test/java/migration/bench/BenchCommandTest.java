package migration.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import testkit.JsonReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import testkit.Tier;

@Tier.ChildJvm
class BenchCommandTest {

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aTinyRunMeasuresEveryConfigurationAndWritesTheResultsFiles(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();
        Path output = dir.resolve("tiny.md");

        int status = bench(out, "--size", "8m", "--channels", "1,2", "--modes",
                "ceiling,copy-provider,linux-copy", "--warm-up", "16m", "--repeat", "2", "--json", "--output",
                output.toString());

        assertThat(status).as("exit status; output:%n%s", out).isZero();
        String json = out.toString();
        assertThat(json.split("\"mode\":", -1)).as("one object per configuration").hasSize(1 + 12);
        assertThat(json.split("\"mode\":\"copy-provider\"", -1)).hasSize(1 + 4);
        assertThat(json).contains("\"destination\":\"fresh\"", "\"destination\":\"pre-touched\"",
                "\"bytes\":8388608");
        // Every migration over the copying provider was measured: figures, not a "skipped" reason.
        assertThat(json.split("\"gib-per-s\":", -1).length - 1).isGreaterThanOrEqualTo(8);
        // Each measured configuration lists its two runs, and its figures are their medians.
        List<Map<String, Object>> measured = results(json).stream().filter(r -> r.containsKey("gib-per-s")).toList();
        assertThat(measured).hasSizeGreaterThanOrEqualTo(8).allSatisfy(r -> {
            List<?> runs = (List<?>) r.get("runs");
            assertThat(runs).hasSize(2);
            double first = (Double) ((Map<?, ?>) runs.get(0)).get("seconds");
            double second = (Double) ((Map<?, ?>) runs.get(1)).get("seconds");
            assertThat((Double) r.get("seconds")).isCloseTo((first + second) / 2, within(0.0002));
        });
        assertThat(Files.readString(output)).contains("| ceiling | 1 | fresh |", "| copy-provider | 2 |",
                "- runs: each configuration measured 2 times after its warm-up");
        assertThat(Files.readString(dir.resolve("tiny.json"))).isEqualTo(json);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aTinyColdRunMeasuresFreshToolProcessesIntoBothKindsOfFileAndInPlace(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();
        Path files = Files.createDirectory(dir.resolve("files"));

        int status = bench(out, "--modes", "cold", "--size", "8m", "--channels", "2", "--repeat", "1",
                "--cold-dir", files.toString(), "--json", "--output", dir.resolve("cold.md").toString());

        assertThat(status).as("exit status; output:%n%s", out).isZero();
        Map<String, Object> document = JsonReader.object(out.toString());
        assertThat((List<?>) document.get("results")).as("no steady-state configuration").isEmpty();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> cold = (List<Map<String, Object>>) document.get("cold");
        assertThat(cold).extracting(r -> r.get("destination") + (Boolean.TRUE.equals(r.get("in-place")) ? " in place"
                : "")).containsExactly("fresh", "pre-touched", "pre-touched in place");
        assertThat(cold).allSatisfy(r -> {
            assertThat(r).as("measured, not skipped: %s", r).containsEntry("bytes", 8388608L)
                    .containsEntry("channels", 2L);
            assertThat((Double) r.get("total-time-s")).isPositive();
            assertThat((Long) r.get("minor-faults-src")).isPositive();
            assertThat((Long) r.get("minor-faults-dst")).isPositive();
            assertThat(r).containsKeys("window-cpu-s-src", "window-cpu-s-dst", "window-cpu-s-per-gib-total");
            // Each process's JVM start-up, read off its CPU time as it ran: the bench followed both processes.
            assertThat((Double) r.get("before-window-cpu-s-src")).isPositive();
            assertThat((Double) r.get("before-window-cpu-s-dst")).isPositive();
            assertThat((List<?>) r.get("runs")).hasSize(1);
        });
        assertThat(Files.readString(dir.resolve("cold.md"))).contains("## Cold one-shot", "| cold | 2 | fresh |",
                "| cold | 2 | pre-touched |", "| cold | 2 | pre-touched, --in-place |",
                "| window CPU-s src | window CPU-s dst | window CPU-s/GiB both |");
        assertThat(files).as("the source and destination files are deleted").isEmptyDirectory();
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aTinyColdCeilingRunMeasuresTheCeilingProcessesAndComparesTheColdRowWithThem(@TempDir Path dir)
            throws Exception {
        StringWriter out = new StringWriter();
        Path files = Files.createDirectory(dir.resolve("files"));

        int status = bench(out, "--modes", "cold,cold-ceiling", "--destinations", "fresh", "--size", "8m",
                "--channels", "2", "--repeat", "1", "--cold-dir", files.toString(), "--json", "--output",
                dir.resolve("cold-ceiling.md").toString());

        assertThat(status).as("exit status; output:%n%s", out).isZero();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> cold = (List<Map<String, Object>>) JsonReader.object(out.toString()).get("cold");
        assertThat(cold).extracting(r -> r.get("mode")).containsExactly("cold-ceiling", "cold");
        assertThat(cold).allSatisfy(r -> {
            assertThat(r).as("measured, not skipped: %s", r).containsEntry("bytes", 8388608L);
            assertThat((Long) r.get("minor-faults-src")).isPositive();
            assertThat((Long) r.get("minor-faults-dst")).isPositive();
            assertThat((Double) r.get("window-cpu-s-per-gib-total")).isNotNull();
        });
        assertThat(cold.get(0)).containsEntry("percent-of-cold-ceiling", null);
        assertThat((Double) cold.get(1).get("percent-of-cold-ceiling")).isPositive();
        assertThat((Double) cold.get(1).get("cpu-ratio-to-cold-ceiling")).isPositive();
        assertThat(Files.readString(dir.resolve("cold-ceiling.md"))).contains("| cold-ceiling | 2 | fresh |",
                "| % of cold ceiling | CPU × cold ceiling |", "cold-ceiling rows: the cold rows' twin");
        assertThat(files).as("the source and destination files are deleted").isEmptyDirectory();
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aTinyTlsColdRunMeasuresTheTlsRowBesideThePlainOneAndComparesThem(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();
        Path files = Files.createDirectory(dir.resolve("files"));

        int status = bench(out, "--modes", "tls-cold,cold", "--destinations", "fresh", "--size", "8m", "--channels",
                "2", "--repeat", "1", "--cold-dir", files.toString(), "--json", "--output",
                dir.resolve("cold-tls.md").toString());

        assertThat(status).as("exit status; output:%n%s", out).isZero();
        Map<String, Object> document = JsonReader.object(out.toString());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> cold = (List<Map<String, Object>>) document.get("cold");
        assertThat(cold).extracting(r -> r.get("mode")).containsExactly("cold", "tls-cold");
        assertThat(cold).allSatisfy(r -> assertThat(r).as("measured, not skipped: %s", r)
                .containsEntry("bytes", 8388608L).containsEntry("destination", "fresh"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> comparisons = (List<Map<String, Object>>) document.get("cold-tls");
        assertThat(comparisons).singleElement().satisfies(c -> {
            assertThat(c).containsEntry("mode", "tls-cold").containsEntry("plain-mode", "cold");
            assertThat((Double) c.get("percent-of-plain")).isPositive();
            assertThat((Double) c.get("cpu-ratio")).isPositive();
        });
        assertThat(Files.readString(dir.resolve("cold-tls.md"))).contains("| tls-cold | 2 | fresh |",
                "- tls-cold, 2 channels, fresh: ");
        assertThat(files).as("the source and destination files are deleted").isEmptyDirectory();
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aTinyTlsRunMeasuresTheTlsRowBesideThePlainOneAndComparesThem(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();

        int status = bench(out, "--size", "8m", "--channels", "1", "--modes", "copy-provider,tls-copy-provider",
                "--destinations", "pre-touched", "--warm-up", "0", "--repeat", "1", "--json", "--output",
                dir.resolve("tls.md").toString());

        assertThat(status).as("exit status; output:%n%s", out).isZero();
        Map<String, Object> document = JsonReader.object(out.toString());
        assertThat(results(out.toString())).extracting(r -> r.get("mode"))
                .containsExactly("copy-provider", "tls-copy-provider");
        assertThat(results(out.toString())).allSatisfy(r -> assertThat(r).as("measured, not skipped: %s", r)
                .containsEntry("bytes", 8388608L));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> tls = (List<Map<String, Object>>) document.get("tls");
        assertThat(tls).singleElement().satisfies(c -> {
            assertThat(c).containsEntry("mode", "tls-copy-provider").containsEntry("plain-mode", "copy-provider");
            assertThat((Double) c.get("percent-of-plain")).isPositive();
            assertThat((Double) c.get("cpu-s-per-gib-total")).isPositive();
        });
        assertThat(Files.readString(dir.resolve("tls.md"))).contains("| tls-copy-provider | 1 | pre-touched |",
                "- tls-copy-provider, 1 channel, pre-touched: ");
    }

    /**
     * {@return the exit status of {@code multifd bench ARGS}, its standard output going to {@code out}, its progress
     * to standard error}
     */
    private static int bench(StringWriter out, String... args) {
        return new BenchTool().run(new PrintWriter(out, true), new PrintWriter(System.err, true), args);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> results(String json) {
        return (List<Map<String, Object>>) JsonReader.object(json).get("results");
    }

    @Test
    void aBadOptionIsAUsageError() {
        StringWriter err = new StringWriter();

        int status = new BenchTool().run(new PrintWriter(new StringWriter()), new PrintWriter(err, true), "--channels",
                "0");

        assertThat(status).isEqualTo(2);
        assertThat(err.toString()).contains("multifd bench: --channels expects comma-separated channel counts from 1"
                + " to 255", "(see 'multifd bench --help')");
    }
}
