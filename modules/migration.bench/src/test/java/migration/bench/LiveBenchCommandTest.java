package migration.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import testkit.JsonReader;
import testkit.Tier;

/** {@code multifd bench --live}: a tiny real run, and its usage errors. */
@Tier.ChildJvm
class LiveBenchCommandTest {

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    @SuppressWarnings("unchecked")
    void aTinyLiveRunMigratesFromFreshProcessesAndWritesTheResultsFiles(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Path output = dir.resolve("live.md");

        int status = run(out, err, "bench", "--live", "--size", "16m", "--trackers", "portable", "--dirty-rates",
                "25%", "--json", "--output", output.toString());

        assertThat(status).as("exit status; output:%n%s%s", out, err).isZero();
        Map<String, Object> json = JsonReader.object(out.toString());
        List<Map<String, Object>> rows = (List<Map<String, Object>>) json.get("results");
        assertThat(rows).as("the bandwidth's row at rate 0, then 25%% of it").extracting(r -> r.get("dirty-rate"))
                .containsExactly("0", "25%");
        assertThat(rows).allSatisfy(r -> assertThat(r).as("measured: %s", r).containsEntry("status", "completed")
                .containsEntry("verified", true).containsEntry("converged", true));
        assertThat((Long) rows.get(1).get("writers-bytes-per-s")).isPositive();
        assertThat((Long) rows.get(1).get("writes")).isPositive();
        assertThat((List<Map<String, Object>>) json.get("trackers")).singleElement()
                .satisfies(t -> assertThat(t).containsEntry("tracker", "portable"));
        assertThat((List<?>) json.get("bandwidths")).hasSize(1);
        assertThat(Files.readString(output)).contains("## Trackers on their own", "## Live migrations",
                "| portable | 2 | 25% |", "## Targets");
        assertThat(Files.readString(dir.resolve("live.json"))).isEqualTo(out.toString());
    }

    @Test
    void liveMigrationsAreMeasuredOnTheirOwn() {
        StringWriter err = new StringWriter();

        assertThat(run(new StringWriter(), err, "bench", "--live", "--modes", "cold,live")).isEqualTo(2);
        assertThat(err.toString()).contains("live migrations are measured on their own: use --live (or --modes live)"
                + " without other modes");
    }

    @Test
    void aBadRateIsAUsageError() {
        StringWriter err = new StringWriter();

        assertThat(run(new StringWriter(), err, "bench", "--modes", "live", "--dirty-rates", "0,lots")).isEqualTo(2);
        assertThat(err.toString()).contains("--dirty-rates expects a comma-separated list of dirty rates");
    }

    /** {@return the exit status of {@code multifd ARGS}, ARGS starting with {@code bench}} */
    private static int run(StringWriter out, StringWriter err, String... args) {
        assertThat(args[0]).isEqualTo("bench");
        return new BenchTool().run(new PrintWriter(out, true), new PrintWriter(err, true),
                Arrays.copyOfRange(args, 1, args.length));
    }
}
