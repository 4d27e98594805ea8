package testkit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.spi.ToolProvider;

/**
 * One run of a tool in this process, with its standard output and error captured.
 *
 * @param exitCode the exit code
 * @param out      what it wrote on standard output
 * @param err      what it wrote on standard error
 */
public record ToolRun(int exitCode, String out, String err) {

    /**
     * Runs a tool.
     *
     * @param tool the tool
     * @param args its command line
     * @return the outcome
     */
    public static ToolRun of(ToolProvider tool, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode;
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exitCode = tool.run(outStream, errStream, args);
        }
        return new ToolRun(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@return the lines written on standard error} */
    public List<String> errLines() {
        return err.lines().toList();
    }
}
