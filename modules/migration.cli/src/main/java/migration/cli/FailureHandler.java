package migration.cli;

import java.io.IOException;
import java.io.PrintWriter;
import migration.MigrationException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Reports why a command failed as one line on standard error ({@code multifd send: <reason>}, escaped and cut by
 * {@link OneLine}, as it may carry the peer's words) and exits with 1.
 * Expected failures (a migration failed, a file could not be read, {@link CommandFailure}) print no stack trace;
 * anything else is a defect and prints one after the line.
 */
final class FailureHandler implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine command, ParseResult parseResult) {
        PrintWriter err = command.getErr();
        String stopped = Shutdown.current().requested() ? "stopped by Ctrl-C or SIGTERM: " : "";
        err.println(command.getCommandSpec().qualifiedName() + ": " + stopped + OneLine.of(ex));
        if (!(ex instanceof MigrationException || ex instanceof IOException || ex instanceof CommandFailure)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return CommandFailure.EXIT_CODE;
    }
}
