package migration.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A provider's diagnostic for {@code info --json}: counts and sizes as JSON numbers, not text. Providers describe
 * their facts as human-readable text ({@code ChannelProvider.diagnostics()}); the text table shows it as it is,
 * and the JSON document carries what a script needs:
 * {@code "8388608 bytes"} becomes {@code 8388608}, {@code "8388608 bytes (larger sends ...)"} and
 * {@code "about 157 (...)"} become the number, {@code "A (soft), B (hard)"} becomes {@code {"soft": A, "hard": B}},
 * and anything else ({@code "unlimited"}, {@code "yes"}) stays text.
 */
final class DiagnosticValue {

    // IMPORTANT: follows the forms of io.channel.linux.HostLimits.describe().
    private static final Pattern NUMBER = Pattern.compile("(?:about )?(\\d{1,18})(?: bytes)?(?: \\([^()]*\\))?");
    private static final Pattern PART = Pattern.compile("(.+) \\(([a-z][a-z -]*)\\)");

    private DiagnosticValue() {
    }

    /** {@return the value for the JSON document: a number, an object of labelled parts, or the text} */
    static Object of(String text) {
        Matcher number = NUMBER.matcher(text.strip());
        if (number.matches()) {
            return Long.parseLong(number.group(1));
        }
        String[] parts = text.split(", ");
        if (parts.length > 1) {
            Map<String, Object> labelled = new LinkedHashMap<>();
            for (String part : parts) {
                Matcher m = PART.matcher(part.strip());
                if (!m.matches() || labelled.put(m.group(2), single(m.group(1))) != null) {
                    return text;
                }
            }
            return labelled;
        }
        return text;
    }

    private static Object single(String text) {
        Matcher number = NUMBER.matcher(text.strip());
        return number.matches() ? (Object) Long.parseLong(number.group(1)) : text.strip();
    }
}
