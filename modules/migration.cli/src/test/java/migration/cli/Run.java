package migration.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One run of the tool in this process, with its standard output and error captured.
 *
 * @param exitCode the exit code
 * @param out      what it wrote on standard output
 * @param err      what it wrote on standard error
 */
record Run(int exitCode, String out, String err) {

    /** {@return the outcome of {@code multifd <args>}} */
    static Run of(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode;
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exitCode = Main.run(args, outStream, errStream);
        }
        return new Run(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@return the lines written on standard error} */
    List<String> errLines() {
        return err.lines().toList();
    }
}
