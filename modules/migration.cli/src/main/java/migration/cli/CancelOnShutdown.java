package migration.cli;

import java.time.Duration;

/**
 * Cancels a running migration when the JVM is asked to stop (Ctrl-C, {@code SIGTERM}), so that the peer learns
 * it was cancelled instead of seeing a dropped connection, and waits briefly for it to end. Closing it removes the
 * hook.
 */
final class CancelOnShutdown implements AutoCloseable {

    /** How long the hook waits for the migration to end after cancelling it. */
    static final Duration GRACE = Duration.ofSeconds(2);

    /** Cancels a migration; {@code cancel()} of a source or destination. */
    @FunctionalInterface
    interface Cancel {
        void cancel();
    }

    private final Thread hook;

    private CancelOnShutdown(Thread hook) {
        this.hook = hook;
    }

    /**
     * Registers the hook.
     *
     * @param cancel cancels the migration
     * @param end    waits for it to end
     * @return the registration; close it once the migration has ended
     */
    static CancelOnShutdown register(Cancel cancel, Progress.TimedWait end) {
        Thread hook = new Thread(() -> {
            cancel.cancel();
            try {
                end.await(GRACE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "multifd-cancel-on-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        return new CancelOnShutdown(hook);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down and the hook is running: nothing to remove.
        }
    }
}
