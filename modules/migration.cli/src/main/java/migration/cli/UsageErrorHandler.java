package migration.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Reports a usage error (unknown option, bad value, missing option) as one line on standard error, such as
 * {@code multifd demo: invalid --size 'abc': expected a positive size such as 512m or 2g}, and exits with 2.
 */
final class UsageErrorHandler implements IParameterExceptionHandler {

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine command = ex.getCommandLine();
        PrintWriter err = command.getErr();
        String name = command.getCommandSpec().qualifiedName();
        err.println(name + ": " + describe(ex) + " (see '" + name + " --help')");
        err.flush();
        return command.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** {@return what is wrong, in one line without the command's name} */
    static String describe(ParameterException ex) {
        if (ex.getCause() instanceof TypeConversionException conversion) {
            String option = ex.getArgSpec() instanceof OptionSpec spec ? spec.longestName()
                    : ex.getArgSpec() != null ? ex.getArgSpec().paramLabel() : "value";
            return "invalid " + option + " '" + ex.getValue() + "': " + conversion.getMessage();
        }
        String message = OneLine.of(ex.getMessage());
        if (message.startsWith("Error: ")) {
            message = message.substring("Error: ".length());
        }
        if (!message.isEmpty()) {
            message = Character.toLowerCase(message.charAt(0)) + message.substring(1);
        }
        if (ex instanceof UnmatchedArgumentException unmatched) {
            List<String> suggestions = unmatched.getSuggestions();
            if (!suggestions.isEmpty()) {
                message += "; did you mean " + String.join(" or ", suggestions) + "?";
            }
        }
        return message;
    }
}
