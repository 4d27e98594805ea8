package migration.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
                "ceiling,copy-provider,linux-copy", "--warm-up", "16m", "--json", "--output", output.toString());

        assertThat(status).as("exit status; output:%n%s", out).isZero();
        String json = out.toString();
        assertThat(json.split("\"mode\":", -1)).as("one object per configuration").hasSize(1 + 12);
        assertThat(json.split("\"mode\":\"copy-provider\"", -1)).hasSize(1 + 4);
        assertThat(json).contains("\"destination\":\"fresh\"", "\"destination\":\"pre-touched\"",
                "\"bytes\":8388608");
        // Every migration over the copying provider was measured: figures, not a "skipped" reason.
        assertThat(json.split("\"gib-per-s\":", -1).length - 1).isGreaterThanOrEqualTo(8);
        assertThat(Files.readString(output)).contains("| ceiling | 1 | fresh |", "| copy-provider | 2 |");
        assertThat(Files.readString(dir.resolve("tiny.json"))).isEqualTo(json);
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
