package migration.cli.bench;

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
import migration.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchCommandTest {

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aTinyRunMeasuresEveryConfigurationAndWritesTheResultsFiles(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();
        CommandLine command = new CommandLine(new Main());
        command.setOut(new PrintWriter(out, true));
        Path output = dir.resolve("tiny.md");

        int status = command.execute("bench", "--size", "8m", "--channels", "1,2", "--modes",
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

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> results(String json) {
        return (List<Map<String, Object>>) JsonReader.object(json).get("results");
    }

    @Test
    void aBadOptionIsAUsageError() {
        StringWriter err = new StringWriter();
        CommandLine command = new CommandLine(new Main());
        command.setErr(new PrintWriter(err, true));
        assertThat(command.execute("bench", "--channels", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--channels expects comma-separated channel counts from 1 to 255");
    }
}
