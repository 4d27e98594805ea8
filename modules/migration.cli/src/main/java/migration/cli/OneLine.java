package migration.cli;

/**
 * Messages on one line, safe to print on a terminal. Every message the tool prints may carry text it did not
 * write: the peer's ERROR and CANCEL texts and block names inside the library's messages, where the library
 * already quotes and escapes them ({@code the source failed: "..."}), but also exception messages of any origin.
 * Such text could hold escape sequences that clear the screen, colour it or fake a "completed" line, or be a
 * megabyte long. So, as the last step before the terminal, line breaks become {@code "; "}, every other control or
 * invisible formatting character is shown escaped as the library does ({@code \x1b}, and a backslash, {@code u} and
 * the code point in braces above U+00FF), and the line is cut to {@link #MAX_LENGTH} characters, saying how much
 * was left out. Backslashes are left as they are, so what the library escaped is not escaped twice.
 */
final class OneLine {

    /** The longest message printed, in characters, before the note on what was cut. */
    static final int MAX_LENGTH = 500;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private OneLine() {
    }

    /** {@return the text on one line, escaped and cut; empty for a missing or blank text} */
    static String of(String text) {
        if (text == null || text.isBlank()) {
            return "";
        }
        String line = text.strip().replaceAll("\\s*\\R\\s*", "; ");
        StringBuilder out = new StringBuilder(Math.min(line.length(), MAX_LENGTH) + 16);
        int i = 0;
        while (i < line.length() && out.length() < MAX_LENGTH) {
            int c = line.codePointAt(i);
            escape(c, out);
            i += Character.charCount(c);
        }
        if (i < line.length()) {
            out.append("... (").append(line.length() - i).append(" more characters)");
        }
        return out.toString();
    }

    /** {@return the exception's message on one line, escaped and cut, or its type when it has none} */
    static String of(Throwable error) {
        String message = of(error.getMessage());
        return message.isEmpty() ? error.getClass().getSimpleName() : message;
    }

    private static void escape(int c, StringBuilder out) {
        // C0, DEL and C1 controls (0x9b is a one-byte CSI for some terminals) as \xHH; invisible or misleading
        // characters (bidirectional overrides such as U+202E, zero-width characters, lone surrogates) as a
        // backslash, u and the code point in braces.
        if (!unsafe(c)) {
            out.appendCodePoint(c);
        } else if (c <= 0xff) {
            out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
        } else {
            out.append("\\u{").append(Integer.toHexString(c)).append('}');
        }
    }

    /**
     * {@return whether a character must be escaped before it reaches a terminal} The library quotes the peer's text
     * by the same rule, so that text it escaped passes here as it is; the tool keeps its own copy, as the library's
     * wire-format classes are not API.
     *
     * @param c a code point
     */
    static boolean unsafe(int c) {
        // C0, DEL and C1 controls (ESC and CSI start terminal escape sequences), and invisible format characters
        // (bidirectional overrides, zero-width joiners) and the line and paragraph separators.
        int type = Character.getType(c);
        return Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.UNASSIGNED
                || type == Character.PRIVATE_USE || type == Character.SURROGATE;
    }
}
