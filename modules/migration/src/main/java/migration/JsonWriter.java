package migration;

/**
 * A minimal streaming JSON writer for the statistics: objects, arrays, strings, numbers, booleans and null.
 * Strings are escaped as RFC 8259 requires; unpaired surrogates are written as {@code \\uXXXX} escapes so the
 * output is always valid UTF-8 when encoded. Not thread-safe.
 */
final class JsonWriter {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder out = new StringBuilder(256);
    /** Whether the current container already holds a member, so the next one needs a comma. */
    private long hasMember;
    private int depth;
    private boolean afterName;

    JsonWriter beginObject() {
        beforeValue();
        out.append('{');
        push();
        return this;
    }

    JsonWriter endObject() {
        pop();
        out.append('}');
        return this;
    }

    JsonWriter beginArray() {
        beforeValue();
        out.append('[');
        push();
        return this;
    }

    JsonWriter endArray() {
        pop();
        out.append(']');
        return this;
    }

    JsonWriter name(String name) {
        if (afterName) {
            throw new IllegalStateException("two names in a row: " + name);
        }
        comma();
        string(name);
        out.append(':');
        afterName = true;
        return this;
    }

    JsonWriter value(String value) {
        beforeValue();
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        return this;
    }

    JsonWriter value(long value) {
        beforeValue();
        out.append(value);
        return this;
    }

    JsonWriter value(double value) {
        beforeValue();
        if (Double.isFinite(value)) {
            out.append(value);
        } else {
            // JSON has no NaN or infinity.
            out.append("null");
        }
        return this;
    }

    JsonWriter value(boolean value) {
        beforeValue();
        out.append(value);
        return this;
    }

    @Override
    public String toString() {
        if (depth != 0) {
            throw new IllegalStateException("unclosed JSON container");
        }
        return out.toString();
    }

    private void beforeValue() {
        if (afterName) {
            afterName = false;
        } else {
            comma();
        }
    }

    private void comma() {
        if (depth > 0) {
            long bit = 1L << (depth - 1);
            if ((hasMember & bit) != 0) {
                out.append(',');
            }
            hasMember |= bit;
        }
    }

    private void push() {
        if (depth == 63) {
            throw new IllegalStateException("JSON nested too deeply");
        }
        depth++;
        hasMember &= ~(1L << (depth - 1));
    }

    private void pop() {
        if (depth == 0 || afterName) {
            throw new IllegalStateException("unbalanced JSON container");
        }
        depth--;
    }

    private void string(String text) {
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        unicodeEscape(c);
                    } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                            && Character.isLowSurrogate(text.charAt(i + 1))) {
                        out.append(c).append(text.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        unicodeEscape(c);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private void unicodeEscape(char c) {
        out.append("\\u").append(HEX[(c >> 12) & 0xf]).append(HEX[(c >> 8) & 0xf]).append(HEX[(c >> 4) & 0xf])
                .append(HEX[c & 0xf]);
    }
}
