package migration.cli;

import java.util.List;
import testkit.ToolRun;

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
        return of(ToolRun.of(new MultifdTool(), args));
    }

    /** {@return the same outcome} */
    static Run of(ToolRun run) {
        return new Run(run.exitCode(), run.out(), run.err());
    }

    /** {@return the lines written on standard error} */
    List<String> errLines() {
        return err.lines().toList();
    }
}
