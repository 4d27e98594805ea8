package io.channel.memory;

/**
 * A {@link DirtyTrackerProvider} cannot track a given region: not an error of the program, a limit of the
 * provider (a kind of mapping it does not support, an alignment it needs, a kernel feature that is missing).
 * The message says which, and {@link DirtyTrackers} tracks the region with the portable provider instead.
 */
public class DirtyTrackingRefusedException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message why the region cannot be tracked
     * @param cause   the failure behind it (a kernel call's error), or {@code null}
     */
    public DirtyTrackingRefusedException(String message, Throwable cause) {
        super(message, cause);
    }
}
