package migration.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Text the peer sent (ERROR and CANCEL bodies, RESULT's message), made safe to put in an exception message, a
 * statistic or a terminal line: decoded as UTF-8 (malformed bytes replaced), control characters and invisible
 * formatting characters escaped (so an escape sequence cannot clear a screen, colour text or forge a line),
 * quotes and backslashes escaped, cut to {@value #MAX_CHARS} characters, and put in double quotes so that where
 * the peer's words start and end is never in doubt.
 */
public final class PeerText {

    /** The most characters of the peer's text kept. */
    public static final int MAX_CHARS = 512;

    private PeerText() {
    }

    /**
     * {@return the peer's text, made safe and quoted}
     * @param bytes the UTF-8 bytes as received
     */
    public static String quote(byte[] bytes) {
        return quote(new String(bytes, StandardCharsets.UTF_8));
    }

    /**
     * {@return the peer's text, made safe and quoted}
     * @param text the text as decoded
     */
    public static String quote(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_CHARS) + 16).append('"');
        int kept = 0;
        int i = 0;
        while (i < text.length() && kept < MAX_CHARS) {
            int c = text.codePointAt(i);
            i += Character.charCount(c);
            kept++;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (unsafe(c)) {
                        out.append(c <= 0xff ? String.format("\\x%02x", c) : String.format("\\u{%x}", c));
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        }
        out.append('"');
        if (i < text.length()) {
            out.append(" (cut: ").append(text.codePointCount(i, text.length())).append(" more characters)");
        }
        return out.toString();
    }

    /**
     * {@return whether a character must be escaped before it reaches a terminal}
     * @param c a code point
     */
    public static boolean unsafe(int c) {
        // C0, DEL and C1 controls (ESC and CSI start terminal escape sequences), and invisible format characters
        // (bidirectional overrides, zero-width joiners) and the line and paragraph separators.
        int type = Character.getType(c);
        return Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.UNASSIGNED
                || type == Character.PRIVATE_USE || type == Character.SURROGATE;
    }
}
