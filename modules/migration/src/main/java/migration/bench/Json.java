package migration.bench;

/** Just enough JSON output for the report: objects, arrays, strings, numbers, booleans, null. Not thread-safe. */
final class Json {

    private final StringBuilder out = new StringBuilder(4096);
    private final StringBuilder indent = new StringBuilder("\n");
    private boolean first = true;

    Json open(char bracket) {
        out.append(bracket);
        indent.append("  ");
        first = true;
        return this;
    }

    Json close(char bracket) {
        indent.setLength(indent.length() - 2);
        if (!first) {
            out.append(indent);
        }
        out.append(bracket);
        first = false;
        return this;
    }

    /** Starts a member or array element. */
    Json next() {
        if (!first) {
            out.append(',');
        }
        out.append(indent);
        first = false;
        return this;
    }

    Json name(String name) {
        next();
        string(name);
        out.append(": ");
        first = true;
        return this;
    }

    /** Writes a value after {@link #name} or {@link #next}. */
    Json value(Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            string(s);
        } else if (value instanceof Double d) {
            out.append(d.isNaN() || d.isInfinite() ? "null" : String.valueOf(Math.round(d * 10000) / 10000.0));
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else {
            string(value.toString());
        }
        first = false;
        return this;
    }

    Json member(String name, Object value) {
        return name(name).value(value);
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    @Override
    public String toString() {
        return out.toString();
    }
}
