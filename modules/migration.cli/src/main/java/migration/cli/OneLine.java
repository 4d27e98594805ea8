package migration.cli;

/** Messages on one line, for errors that scripts and people read. */
final class OneLine {

    private OneLine() {
    }

    /** {@return the text with line breaks turned into {@code "; "}, or the fallback for a missing text} */
    static String of(String text) {
        if (text == null || text.isBlank()) {
            return "";
        }
        return text.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    /** {@return the exception's message on one line, or its type when it has none} */
    static String of(Throwable error) {
        String message = of(error.getMessage());
        return message.isEmpty() ? error.getClass().getSimpleName() : message;
    }
}
