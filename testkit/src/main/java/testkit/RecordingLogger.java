package testkit;

import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link System.Logger} that records what is logged at INFO and above, for tests of what the library says to its
 * user: hand it to the code under test where that code takes its logger.
 */
public final class RecordingLogger implements System.Logger {

    private final List<String> infoLines = new CopyOnWriteArrayList<>();
    private final List<String> warningLines = new CopyOnWriteArrayList<>();

    /** A logger that has recorded nothing yet. */
    public RecordingLogger() {
    }

    /** {@return the messages logged at INFO or above, in order} */
    public List<String> infoLines() {
        return List.copyOf(infoLines);
    }

    /** {@return the messages logged at WARNING or above, in order} */
    public List<String> warningLines() {
        return List.copyOf(warningLines);
    }

    @Override
    public String getName() {
        return "recording";
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
        if (level.getSeverity() >= Level.WARNING.getSeverity()) {
            warningLines.add(msg);
        }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        log(level, bundle, format, (Throwable) null);
    }
}
