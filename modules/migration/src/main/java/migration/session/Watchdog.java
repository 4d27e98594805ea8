package migration.session;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import migration.protocol.Frame;
import migration.protocol.FrameType;
import migration.protocol.MainChannel;

/**
 * One side's watchdog thread: every 100 ms it sends a HEARTBEAT on the main channel once a second (while
 * heartbeats are on), fails the migration when the peer stays silent longer than the liveness timeout (while the
 * silence check is on) or when one of the side's own rules breaks ({@link Host#broken}), drops what waited too
 * long ({@link Host#expire}), shuts the channels down once more if stopping takes too long, and shuts the main
 * channel after the drain deadline.
 */
final class Watchdog {

    /** How often a side sends a HEARTBEAT on the main channel. */
    static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    private static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** What the watchdog watches: one side of a migration. */
    interface Host {
        /** {@return the main channel once it carries frames, else {@code null}} */
        MainChannel main();

        /** {@return whether the migration is ending} */
        boolean stopping();

        /**
         * {@return the first of the side's rules broken at {@code now}, or {@code null}}
         * @param now {@link System#nanoTime()}
         */
        Failure broken(long now);

        /**
         * Drops what waited too long.
         *
         * @param now {@link System#nanoTime()}
         */
        void expire(long now);

        /**
         * Ends the migration (first outcome wins).
         *
         * @param failure why
         */
        void fail(Failure failure);

        /** Shuts every channel down and wakes every waiter. */
        void kick();
    }

    private final Host host;
    private final String peer;
    private final Duration liveness;
    private final Thread thread;
    private volatile boolean heartbeats;
    private volatile boolean silenceCheck;
    private volatile long lastActivityNanos = System.nanoTime();
    private volatile long kickDeadlineNanos;
    private volatile long drainDeadlineNanos;
    private volatile boolean stop;

    /**
     * @param host       the side
     * @param peer       "source" or "destination", for messages
     * @param liveness   how long the peer may stay silent while the silence check is on
     * @param threadName the thread's name
     */
    Watchdog(Host host, String peer, Duration liveness, String threadName) {
        this.host = host;
        this.peer = peer;
        this.liveness = liveness;
        this.thread = Thread.ofPlatform().name(threadName).daemon(true).unstarted(this::watch);
    }

    void start() {
        thread.start();
    }

    /** The peer showed a sign of life. */
    void touch() {
        lastActivityNanos = System.nanoTime();
    }

    /**
     * Turns the heartbeats on or off.
     *
     * @param on whether to send them
     */
    void heartbeats(boolean on) {
        heartbeats = on;
    }

    /**
     * Turns the silence check on (from now) or off.
     *
     * @param on whether the peer must show signs of life
     */
    void silenceCheck(boolean on) {
        if (on) {
            touch();
        }
        silenceCheck = on;
    }

    /**
     * The migration is ending: the channels were shut down once; shut them down again after {@code delay} if
     * stopping takes longer (a thread that was about to block when they were).
     *
     * @param delay how long to wait
     */
    void kickAgainAfter(Duration delay) {
        kickDeadlineNanos = System.nanoTime() + delay.toNanos();
    }

    /**
     * After the migration is over for the peer: shut the main channel down after {@code limit} if the peer has
     * not closed it by then.
     *
     * @param limit how long to wait for the peer to close
     */
    void drainFor(Duration limit) {
        drainDeadlineNanos = System.nanoTime() + limit.toNanos();
    }

    /**
     * Stops the thread and waits for it.
     *
     * @param timeout how long to wait
     */
    void stop(Duration timeout) {
        stop = true;
        LockSupport.unpark(thread);
        Workers.joinQuietly(thread, timeout);
    }

    private void watch() {
        long lastHeartbeat = 0;
        boolean lateKickDone = false;
        while (!stop) {
            long now = System.nanoTime();
            MainChannel main = host.main();
            if (main != null && main.lastReadNanos() - lastActivityNanos > 0) {
                lastActivityNanos = main.lastReadNanos();
            }
            if (host.stopping()) {
                long kick = kickDeadlineNanos;
                if (!lateKickDone && kick != 0 && now - kick > 0) {
                    lateKickDone = true;
                    host.kick();
                }
            } else {
                Failure broken = host.broken(now);
                if (broken == null && silenceCheck && now - lastActivityNanos > liveness.toNanos()) {
                    broken = new Failure.Timeout("no sign of life from the " + peer + " for "
                            + Session.format(liveness) + " (no heartbeat on the main channel, no packet); the "
                            + peer + " is hung or the network is down");
                }
                if (broken != null) {
                    host.fail(broken);
                    continue;
                }
                host.expire(now);
                if (heartbeats && main != null && now - lastHeartbeat >= HEARTBEAT_INTERVAL.toNanos()) {
                    lastHeartbeat = now;
                    try {
                        main.trySend(Frame.empty(FrameType.HEARTBEAT), 100);
                    } catch (IOException | RuntimeException e) {
                        // The threads using the channel see the same error and report it.
                    }
                }
            }
            long drain = drainDeadlineNanos;
            if (drain != 0 && now - drain > 0 && main != null) {
                drainDeadlineNanos = 0;
                Session.shutdownQuietly(main.channel());
            }
            LockSupport.parkNanos(TICK_NANOS);
        }
    }
}
