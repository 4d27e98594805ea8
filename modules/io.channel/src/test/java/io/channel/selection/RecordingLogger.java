package io.channel.selection;

import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;

/** A {@link System.Logger} that records what is logged at INFO and above, for the selection tests. */
public final class RecordingLogger implements System.Logger {

    private final List<String> infoLines = new ArrayList<>();

    /** {@return the messages logged at INFO or above, in order} */
    public List<String> infoLines() {
        return infoLines;
    }

    @Override
    public String getName() {
        return "io.channel";
    }

    @Override
    public boolean isLoggable(Level level) {
        return true;
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        if (level.getSeverity() >= Level.INFO.getSeverity()) {
            infoLines.add(msg);
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        log(level, bundle, format, (Throwable) null);
    }
}
