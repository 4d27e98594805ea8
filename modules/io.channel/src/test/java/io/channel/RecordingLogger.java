package io.channel;

import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;

/** A {@link System.Logger} for tests: records the messages logged at INFO and above. */
public final class RecordingLogger implements System.Logger {

    /** The messages logged at INFO and above, in order. */
    public final List<String> infoLines = new ArrayList<>();

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
