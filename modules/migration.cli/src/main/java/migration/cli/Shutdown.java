package migration.cli;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Turns Ctrl-C and {@code SIGTERM} into a cancel of the running migration, and lets the command report it before
 * the JVM exits. The JVM runs shutdown hooks and then halts whatever the other threads do, so a hook that only
 * cancelled would lose the command's final JSON document and its one-line reason in most runs. The hook installed
 * here cancels the migration the command has registered (or makes the next registration cancel at once), then
 * waits, up to {@link #REPORT_GRACE}, until {@link Main#main} says the command has printed everything. The exit
 * code stays the JVM's: 130 for {@code SIGINT}, 143 for {@code SIGTERM}.
 *
 * <p>In-process runs ({@link Main#run}, the tests) install no hook; {@link #request()} stands in for the signal.
 */
final class Shutdown {

    /** How long the hook waits for the command to report after cancelling its migration. */
    static final Duration REPORT_GRACE = Duration.ofSeconds(10);

    /** How long a command waits for its migration to end after cancelling it itself. */
    static final Duration GRACE = Duration.ofSeconds(2);

    private static volatile Shutdown current = new Shutdown();

    private final CountDownLatch reported = new CountDownLatch(1);
    private Runnable cancel;
    private boolean requested;

    Shutdown() {
    }

    /** {@return the process's shutdown state} */
    static Shutdown current() {
        return current;
    }

    /**
     * Makes a fresh state current (for tests, which run many commands in one JVM).
     *
     * @param shutdown the state
     */
    static void use(Shutdown shutdown) {
        current = shutdown;
    }

    /** Installs the JVM shutdown hook for the current state; called once, by {@link Main#main}. */
    static void installHook() {
        Shutdown shutdown = current;
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown::onSignal, "multifd-shutdown"));
    }

    /**
     * Registers the running migration's cancel. If a stop was already requested it is cancelled at once.
     *
     * @param cancel cancels the migration ({@code cancel()} of a source or destination); must not block long
     * @return the registration; closing it forgets the cancel
     */
    Registration cancelling(Runnable cancel) {
        boolean now;
        synchronized (this) {
            this.cancel = cancel;
            now = requested;
        }
        if (now) {
            cancel.run();
        }
        return () -> {
            synchronized (this) {
                if (this.cancel == cancel) {
                    this.cancel = null;
                }
            }
        };
    }

    /** Requests a stop as the signal does: cancels the registered migration, if any. */
    void request() {
        Runnable toCancel;
        synchronized (this) {
            requested = true;
            toCancel = cancel;
        }
        if (toCancel != null) {
            toCancel.run();
        }
    }

    /** {@return whether a stop was requested (Ctrl-C, SIGTERM)} */
    synchronized boolean requested() {
        return requested;
    }

    /** Says that the command has printed everything; the hook may let the JVM exit. */
    void reported() {
        reported.countDown();
    }

    private void onSignal() {
        request();
        try {
            reported.await(REPORT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A registered cancel; closing it forgets the cancel. */
    @FunctionalInterface
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
