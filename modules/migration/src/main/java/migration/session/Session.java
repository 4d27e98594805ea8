package migration.session;

import io.channel.IOChannel;
import io.channel.ShutdownDirection;
import io.channel.tls.TlsSessionInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import migration.ChannelStats;
import migration.LiveStats;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationStats;
import migration.MigrationProtocol;
import migration.MigrationStatus;
import migration.TlsStats;
import migration.ZeroCopyStats;
import migration.multifd.ChannelCounters;
import migration.multifd.TransferCounters;
import migration.protocol.Frame;
import migration.protocol.FrameType;
import migration.protocol.MainChannel;
import migration.protocol.ProtocolException;

/**
 * What a source and a destination have in common: the life cycle, the first-failure-wins outcome, the
 * threads and channels to stop, and the watchdog.
 *
 * <p>Threads: a control thread runs {@link #runSession()} and, at the end, stops and joins every other
 * thread, closes every channel and only then publishes the final status. A watchdog thread sends a heartbeat
 * on the main channel every second, fails the migration when setup takes too long or the peer stays silent
 * too long, and shuts channels down if a failing thread could not. No thread blocks for ever: every wait
 * either checks {@link #stopping()} at least every 100 ms or is a channel operation that
 * {@link #fail shutting the channels down} ends. The watchdog also applies the progress rule
 * ({@link #stalled}) and drops what waited too long ({@link #expire}).
 *
 * <p>The state is private; subclasses change it only through named transitions, in this order:
 * {@link #plan} (blocks and channels known), {@link #armSetupDeadline}, {@link #mainChannelReady},
 * {@link #setupDone} (ACTIVE), {@link #roundEnded} per round, {@link #verdict}, and at any time
 * {@link #fail} (FAILED or CANCELLED, first outcome wins), {@link #cancel} or {@link #peerEnded}. The final
 * status is set once, when every thread has stopped. The live statistics ({@link #stats()}) are built here
 * from that state, with the two things that differ by side ({@link #mainBytes}, {@link #zeroCopyStats}).
 */
public abstract class Session {

    /** Prefix of every thread a migration starts; tests count live threads by it. */
    public static final String THREAD_PREFIX = "migration-";
    /** How often each side sends a HEARTBEAT on the main channel. */
    static final Duration HEARTBEAT_INTERVAL = Duration.ofSeconds(1);
    /** How long a thread that hit a connection error waits for the main channel to explain it. */
    static final Duration TRANSPORT_ERROR_GRACE = Duration.ofSeconds(1);
    /** How long stopping may take before the watchdog shuts channels down regardless. */
    static final Duration KICK_DELAY = Duration.ofSeconds(1);
    /** How long to wait for a thread to end before closing channels under it. */
    static final Duration JOIN_TIMEOUT = Duration.ofSeconds(10);

    static final System.Logger LOG = System.getLogger("migration");

    /** The final outcome once decided: the first one wins. */
    record Ending(MigrationStatus status, String message, Throwable cause) {
    }

    /** Thrown inside the control thread to unwind when the migration is already ending. */
    static final class Stopped extends Exception {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super("stopping", null, false, false);
        }
    }

    private final String side;
    private final String peer;
    private final MigrationParameters params;
    private final long startNanos = System.nanoTime();
    private final TransferCounters counters = new TransferCounters();
    private volatile List<ChannelCounters> channelCounters = List.of();
    private volatile long total;
    private volatile boolean verified;
    private volatile long setupDoneNanos;
    private volatile long endNanos;
    private volatile MigrationStatus status = MigrationStatus.SETUP;
    private volatile boolean stopping;
    private volatile MainChannel main;
    private volatile boolean heartbeats;
    private volatile boolean silenceCheck;
    private volatile long lastActivityNanos = System.nanoTime();
    /** When SETUP must be over, or 0 while the deadline is not armed. */
    private volatile long setupDeadlineNanos;
    /** The first TLS handshake's outcome (every channel's agrees), or null. */
    private volatile TlsSessionInfo tlsSession;
    /** When the watchdog shuts the main channel after the final RESULT, or 0. */
    private volatile long drainDeadlineNanos;

    private final AtomicReference<Ending> ending = new AtomicReference<>();
    private final Set<IOChannel> channels = ConcurrentHashMap.newKeySet();
    private final Set<Thread> workers = ConcurrentHashMap.newKeySet();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final CountDownLatch mainReaderEnded = new CountDownLatch(1);
    /** Whether a thread reads the main channel now (so a connection error may soon be explained). */
    private volatile boolean mainReaderStarted;
    private volatile long kickDeadlineNanos;
    private volatile boolean lateKickDone;
    private volatile boolean watchdogStop;
    private volatile MigrationStats finalStats;
    private Thread control;
    private Thread watchdog;

    Session(String side, String peer, MigrationParameters params) {
        this.side = side;
        this.peer = peer;
        this.params = params;
    }

    // ---- State, read by subclasses.

    /** {@return the parameters} */
    final MigrationParameters params() {
        return params;
    }

    /** {@return the migration-wide counters} */
    final TransferCounters counters() {
        return counters;
    }

    /** {@return the per-channel counters, by id; empty until the channel count is known} */
    final List<ChannelCounters> channelCounters() {
        return channelCounters;
    }

    /** {@return the main channel once it carries frames, else {@code null}} */
    final MainChannel main() {
        return main;
    }

    // ---- Named transitions.

    /**
     * The blocks and the channel count are known (the source at start, the destination at HELLO).
     *
     * @param bytes    the sum of the blocks' sizes
     * @param channels the number of multifd channels
     */
    final void plan(long bytes, int channels) {
        List<ChannelCounters> list = new ArrayList<>(channels);
        for (int i = 0; i < channels; i++) {
            list.add(new ChannelCounters(i));
        }
        channelCounters = List.copyOf(list);
        total = bytes;
    }

    /** {@return when SETUP must be over ({@link System#nanoTime()}), or 0 while the deadline is not armed} */
    final long setupDeadlineNanos() {
        return setupDeadlineNanos;
    }

    /**
     * Records a completed TLS handshake for the statistics; the first one wins.
     *
     * @param session what the handshake agreed on
     */
    final void tlsSession(TlsSessionInfo session) {
        if (tlsSession == null) {
            tlsSession = session;
        }
    }

    /** Starts the setup timeout now, unless it already runs. */
    final synchronized void armSetupDeadline() {
        if (setupDeadlineNanos == 0) {
            setupDeadlineNanos = System.nanoTime() + params.setupTimeout().toNanos();
        }
    }

    /**
     * The main channel is connected and identified: from now on failures are told to the peer on it.
     *
     * @param channel the main channel
     */
    final void mainChannelReady(MainChannel channel) {
        main = channel;
    }

    /** Starts sending a HEARTBEAT every second. */
    final void startHeartbeats() {
        heartbeats = true;
    }

    /** The handshake is done: the migration is ACTIVE, heartbeats flow and the peer must show signs of life. */
    final void setupDone() {
        setupDoneNanos = System.nanoTime();
        status = MigrationStatus.ACTIVE;
        touch();
        heartbeats = true;
        silenceCheck = true;
    }

    /** Every channel ended a round at its SYNC. */
    final void roundEnded() {
        counters.dirtySyncCount.incrementAndGet();
    }

    /**
     * The verdict is known and the peer may go quiet from now on: no more heartbeats, no more silence check.
     *
     * @param digestsVerified whether the digests were checked and matched
     */
    final void verdict(boolean digestsVerified) {
        verified = digestsVerified;
        heartbeats = false;
        silenceCheck = false;
    }

    /**
     * After the final RESULT: the watchdog shuts the main channel down after {@code limit} if the peer has not
     * closed it by then.
     *
     * @param limit how long to wait for the peer to close
     */
    final void drainFor(Duration limit) {
        drainDeadlineNanos = System.nanoTime() + limit.toNanos();
    }

    /** A thread reads the main channel from now on (so a connection error elsewhere may soon be explained). */
    final void mainReaderStarted() {
        mainReaderStarted = true;
    }

    /**
     * The peer ended the migration with ERROR or CANCEL: the migration fails or is cancelled with its words, made
     * safe and quoted ({@link Frame#peerText()}).
     *
     * @param frame an ERROR or CANCEL frame
     */
    final void peerEnded(Frame frame) {
        if (frame.type() == FrameType.CANCEL) {
            String plain = "cancelled by the " + peer;
            String text = frame.text();
            fail(MigrationStatus.CANCELLED, text.isEmpty() || text.equals(plain) ? plain
                    : plain + ": " + frame.peerText(), null, false);
        } else {
            fail(MigrationStatus.FAILED, "the " + peer + " failed: " + frame.peerText(), null, false);
        }
    }

    /** What a side does with a frame from its peer other than HEARTBEAT, ERROR and CANCEL. */
    interface FrameHandler {
        /**
         * Handles a frame.
         *
         * @param frame the frame
         * @return whether to read on
         * @throws ProtocolException if the frame is malformed or not allowed now
         */
        boolean handle(Frame frame) throws ProtocolException;
    }

    /**
     * The main channel's reader, on its own thread until it returns: reads the peer's frames, takes HEARTBEAT as
     * a sign of life, ends the migration on ERROR and CANCEL, and gives every other frame to {@code handler}.
     * Reports a protocol error, the peer closing or the connection failing, unless the peer may close by now.
     *
     * @param handler      the side's frames
     * @param peerMayClose whether the migration is over for the peer (the verdict was sent), so that its close,
     *                     a reset or stray bytes mean nothing
     * @param closedEarly  the message for a peer that closes the main channel too early
     */
    final void readFrames(FrameHandler handler, BooleanSupplier peerMayClose, Supplier<String> closedEarly) {
        MainChannel channel = main;
        try {
            while (true) {
                Frame frame = channel.read("the " + peer);
                if (frame == null) {
                    if (!stopping && !peerMayClose.getAsBoolean()) {
                        fail(MigrationStatus.FAILED, closedEarly.get(), null, false);
                    }
                    return;
                }
                touch();
                switch (frame.type()) {
                    case HEARTBEAT -> {
                    }
                    case ERROR, CANCEL -> {
                        peerEnded(frame);
                        return;
                    }
                    default -> {
                        if (!handler.handle(frame)) {
                            return;
                        }
                    }
                }
            }
        } catch (ProtocolException e) {
            if (!peerMayClose.getAsBoolean()) {
                fail(MigrationStatus.FAILED, e.getMessage(), e, true);
            }
        } catch (IOException e) {
            if (!stopping && !peerMayClose.getAsBoolean()) {
                fail(MigrationStatus.FAILED, "main channel: the connection to the " + peer + " failed: "
                        + e.getMessage(), e, false);
            }
        } catch (RuntimeException e) {
            fail(MigrationStatus.FAILED, "main channel reader: internal error: " + e, e, true);
        } finally {
            mainReaderEnded.countDown();
        }
    }

    /**
     * {@return the error for a frame the side does not expect from its peer}
     * @param frame the frame
     */
    final ProtocolException unexpected(Frame frame) {
        return new ProtocolException("main channel: unexpected " + frame.type() + " frame from the " + peer);
    }

    /** Starts the control and watchdog threads. */
    final void startThreads() {
        watchdog = Thread.ofPlatform().name(THREAD_PREFIX + side + "-watchdog").daemon(true).unstarted(this::watch);
        control = Thread.ofPlatform().name(THREAD_PREFIX + side).daemon(true).unstarted(this::control);
        watchdog.start();
        control.start();
    }

    /**
     * The migration's control flow; returning normally means it completed.
     *
     * @throws Exception any failure; {@link Stopped} when it is already ending
     */
    abstract void runSession() throws Exception;

    /** {@return the live statistics} */
    public final MigrationStats stats() {
        List<ChannelStats> perChannel = channelCounters.stream().map(ChannelCounters::snapshot).toList();
        MainChannel current = main;
        long mainBytes = current == null ? 0 : mainBytes(current);
        long multifd = counters.multifdBytes.sum();
        long transferred = mainBytes + multifd;
        long all = total;
        return new MigrationStats(status, totalTimeMillis(), setupTimeMillis(), transferred, all,
                remaining(all), mbps(transferred), counters.normalPages.sum(),
                counters.duplicatePages.sum(), counters.normalBytes.sum(), counters.dirtySyncCount.get(),
                counters.dirtySyncMissedZeroCopy.get(), multifd, MigrationProtocol.PAGE_SIZE, perChannel,
                zeroCopyStats(perChannel), errorDescription(), verified, unidentifiedConnections(), liveStats(),
                params.tls() == null ? TlsStats.OFF : TlsStats.of(tlsSession));
    }

    /**
     * {@return bytes of RAM not yet moved: of the whole RAM in a single round; a live source counts the bytes of
     * the current round left to send}
     * @param all the sum of the blocks' sizes
     */
    long remaining(long all) {
        return Math.max(0, all - counters.processedBytes.sum());
    }

    /** {@return the live-migration statistics; a migration that is not live says so} */
    LiveStats liveStats() {
        return LiveStats.notLive("not live");
    }

    /**
     * Called once on the control thread when the migration has ended, after every other thread stopped and every
     * channel was closed, before the final status is published and {@code await} returns.
     *
     * @param outcome COMPLETED, FAILED or CANCELLED
     */
    void ended(MigrationStatus outcome) {
    }

    /**
     * {@return the main channel's bytes this side counts: sent at the source, received at the destination}
     * @param channel the main channel
     */
    abstract long mainBytes(MainChannel channel);

    /**
     * {@return the zero-copy part of the statistics}
     * @param perChannel the channels' statistics
     */
    abstract ZeroCopyStats zeroCopyStats(List<ChannelStats> perChannel);

    /** {@return the message for a setup that took longer than the setup timeout} */
    abstract String setupTimeoutMessage();

    /**
     * Checks the progress rule, every 100 ms while the migration is ACTIVE: a multifd channel that has data to
     * move must move some within the progress timeout.
     *
     * @param now {@link System#nanoTime()}
     * @return why the migration fails, naming the channel, or {@code null} while every channel moves
     */
    String stalled(long now) {
        return null;
    }

    /** {@return connections dropped because they did not identify themselves as the migration's (destination)} */
    long unidentifiedConnections() {
        return 0;
    }

    /**
     * Drops what waited too long (connections that did not identify themselves), every 100 ms until the end.
     *
     * @param now {@link System#nanoTime()}
     */
    void expire(long now) {
    }

    /** Closes whatever else the subclass owns (listener); called once, at the end. */
    void closeResources() {
    }

    /** Wakes subclass waiters so they check {@link #stopping()}. */
    void wakeWaiters() {
    }

    /** Shuts down whatever else blocks (listener) when stopping. */
    void kickResources() {
    }

    private void control() {
        try {
            runSession();
            ending.compareAndSet(null, new Ending(MigrationStatus.COMPLETED, null, null));
        } catch (Stopped e) {
            ending.compareAndSet(null, new Ending(MigrationStatus.FAILED, "stopped without a reason", null));
        } catch (MigrationException e) {
            fail(MigrationStatus.FAILED, e.getMessage(), e.getCause() != null ? e.getCause() : e, true);
        } catch (ProtocolException e) {
            fail(MigrationStatus.FAILED, e.getMessage(), e, true);
        } catch (IOException e) {
            transportFailed(e.getMessage(), e);
        } catch (InterruptedException e) {
            fail(MigrationStatus.FAILED, "the " + side + " control thread was interrupted", e, true);
        } catch (Exception | Error e) {
            fail(MigrationStatus.FAILED, "internal error: " + e, e, true);
        } finally {
            finish();
        }
    }

    private void finish() {
        stopping = true;
        wakeWaiters();
        boolean clean = ending.get().status() == MigrationStatus.COMPLETED;
        for (Thread worker : workers) {
            joinWorker(worker);
        }
        boolean stuck = workers.stream().anyMatch(Thread::isAlive);
        if (stuck) {
            kick();
            for (Thread worker : workers) {
                joinWorker(worker);
            }
        }
        closeResources();
        for (IOChannel channel : channels) {
            try {
                channel.close();
            } catch (IOException | RuntimeException e) {
                if (clean) {
                    LOG.log(System.Logger.Level.DEBUG, "closing a channel failed", e);
                }
            }
        }
        watchdogStop = true;
        if (watchdog != null) {
            LockSupport.unpark(watchdog);
        }
        joinQuietly(watchdog, JOIN_TIMEOUT);
        for (Thread worker : workers) {
            if (worker.isAlive()) {
                LOG.log(System.Logger.Level.WARNING, "thread " + worker.getName() + " did not stop");
            }
        }
        try {
            ended(ending.get().status());
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "ending the " + side + " failed", e);
        }
        endNanos = System.nanoTime();
        status = ending.get().status();
        finalStats = stats();
        finished.countDown();
    }

    /**
     * Joins a worker. A worker is listed before it is started, so that the end never misses one that runs; one
     * listed but not yet started is waited for, since its starter is about to start it (or to unlist it, if the
     * start fails). {@code Thread.join} throws on a thread that was never started.
     */
    private void joinWorker(Thread worker) {
        while (worker.getState() == Thread.State.NEW && workers.contains(worker)) {
            Thread.yield();
        }
        if (worker.getState() != Thread.State.NEW) {
            joinQuietly(worker, JOIN_TIMEOUT);
        }
    }

    private static void joinQuietly(Thread thread, Duration timeout) {
        if (thread == null || thread == Thread.currentThread()) {
            return;
        }
        try {
            thread.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Starts a worker thread that the end of the migration joins.
     *
     * @param name   the name after {@value #THREAD_PREFIX} and the side
     * @param action what it runs
     */
    final void startWorker(String name, Runnable action) {
        Thread thread = Thread.ofPlatform().name(THREAD_PREFIX + side + "-" + name).daemon(true).unstarted(action);
        start(thread);
    }

    /** Lists a worker, then starts it; unlists it if it cannot be started. */
    private void start(Thread thread) {
        workers.add(thread);
        try {
            thread.start();
        } catch (RuntimeException | Error e) {
            workers.remove(thread);
            throw e;
        }
    }

    /**
     * Starts a worker thread that forgets itself when it ends, for short tasks that may come in large numbers
     * (one per accepted connection); the end of the migration joins those still running.
     *
     * @param name   the name after {@value #THREAD_PREFIX} and the side
     * @param action what it runs
     */
    final void startShortWorker(String name, Runnable action) {
        Thread thread = Thread.ofPlatform().name(THREAD_PREFIX + side + "-" + name).daemon(true).unstarted(() -> {
            try {
                action.run();
            } finally {
                workers.remove(Thread.currentThread());
            }
        });
        start(thread);
    }

    /**
     * Forgets a channel its owner closed itself (a connection that was not the migration's).
     *
     * @param channel the channel
     */
    final void unregister(IOChannel channel) {
        channels.remove(channel);
    }

    /**
     * Registers a channel: shut down when the migration fails, closed when it ends.
     *
     * @param channel the channel
     */
    final void register(IOChannel channel) {
        channels.add(channel);
        if (stopping) {
            shutdownQuietly(channel);
        }
    }

    /** {@return whether the migration is ending} */
    public final boolean stopping() {
        return stopping;
    }

    /** {@return the outcome once decided, else {@code null}} */
    final Ending ending() {
        return ending.get();
    }

    /**
     * Ends the migration with this outcome unless another one came first; then tells the peer (best effort)
     * and shuts every channel down so that blocked threads wake.
     *
     * @param outcome    FAILED or CANCELLED
     * @param message    what happened, in words
     * @param cause      the underlying error, or {@code null}
     * @param tellPeer   whether to send the peer an ERROR (FAILED) or CANCEL (CANCELLED) frame
     * @return whether this call decided the outcome
     */
    final boolean fail(MigrationStatus outcome, String message, Throwable cause, boolean tellPeer) {
        if (!ending.compareAndSet(null, new Ending(outcome, message, cause))) {
            return false;
        }
        kickDeadlineNanos = System.nanoTime() + KICK_DELAY.toNanos();
        stopping = true;
        heartbeats = false;
        wakeWaiters();
        MainChannel current = main;
        if (tellPeer && current != null) {
            Frame frame = outcome == MigrationStatus.CANCELLED ? Frame.text(FrameType.CANCEL, message)
                    : Frame.text(FrameType.ERROR, message);
            try {
                current.trySend(frame, 500);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "could not tell the " + peer + " why the migration ends", e);
            }
        }
        kick();
        return true;
    }

    /**
     * A thread hit a connection error. The peer may have ended the migration on purpose and said so on the
     * main channel; give the main channel's reader a moment to read that before failing with this error.
     *
     * @param message what failed and where
     * @param cause   the error
     */
    final void transportFailed(String message, Exception cause) {
        if (stopping) {
            return;
        }
        try {
            if (mainReaderStarted) {
                mainReaderEnded.await(TRANSPORT_ERROR_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fail(MigrationStatus.FAILED, message, cause, true);
    }

    /**
     * A multifd channel's thread failed (the {@code failed} of both {@code SenderHost} and
     * {@code ReceiverHost}): a connection error goes through {@link #transportFailed}, anything else fails the
     * migration at once.
     *
     * @param channel   the channel id
     * @param message   what failed and where
     * @param cause     the error
     * @param transport whether the cause is the connection rather than a protocol violation
     */
    public final void failed(int channel, String message, Exception cause, boolean transport) {
        if (transport) {
            transportFailed(message, cause);
        } else {
            fail(MigrationStatus.FAILED, message, cause, true);
        }
    }

    /** Shuts every channel down and wakes every waiter. */
    final void kick() {
        for (IOChannel channel : channels) {
            shutdownQuietly(channel);
        }
        kickResources();
        wakeWaiters();
    }

    static void shutdownQuietly(IOChannel channel) {
        try {
            channel.shutdown(ShutdownDirection.BOTH);
        } catch (IOException | RuntimeException e) {
            // Already closed or never connected: nothing to wake.
        }
    }

    /** The peer showed a sign of life. */
    final void touch() {
        lastActivityNanos = System.nanoTime();
    }

    private void watch() {
        long lastHeartbeat = 0;
        while (!watchdogStop) {
            long now = System.nanoTime();
            MainChannel current = main;
            if (current != null && current.lastReadNanos() - lastActivityNanos > 0) {
                lastActivityNanos = current.lastReadNanos();
            }
            if (stopping) {
                if (!lateKickDone && kickDeadlineNanos != 0 && now - kickDeadlineNanos > 0) {
                    lateKickDone = true;
                    kick();
                }
            } else {
                long deadline = setupDeadlineNanos;
                if (status == MigrationStatus.SETUP && deadline != 0 && now - deadline > 0) {
                    fail(MigrationStatus.FAILED, setupTimeoutMessage(), null, true);
                    continue;
                }
                Duration liveness = params.livenessTimeout();
                if (silenceCheck && now - lastActivityNanos > liveness.toNanos()) {
                    fail(MigrationStatus.FAILED, "no sign of life from the " + peer + " for "
                            + format(liveness) + " (no heartbeat on the main channel, no packet);"
                            + " the " + peer + " is hung or the network is down", null, true);
                    continue;
                }
                String stalled = status == MigrationStatus.ACTIVE ? stalled(now) : null;
                if (stalled != null) {
                    fail(MigrationStatus.FAILED, stalled, null, true);
                    continue;
                }
                expire(now);
                if (heartbeats && current != null && now - lastHeartbeat >= HEARTBEAT_INTERVAL.toNanos()) {
                    lastHeartbeat = now;
                    try {
                        current.trySend(Frame.empty(FrameType.HEARTBEAT), 100);
                    } catch (IOException | RuntimeException e) {
                        // The threads using the channel see the same error and report it.
                    }
                }
            }
            long drain = drainDeadlineNanos;
            if (drain != 0 && now - drain > 0 && current != null) {
                drainDeadlineNanos = 0;
                shutdownQuietly(current.channel());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    /**
     * Asks the migration to stop: tells the peer with CANCEL and shuts the channels down. Returns at once;
     * idempotent, callable from any thread.
     */
    public final void cancel() {
        fail(MigrationStatus.CANCELLED, "cancelled by the " + side + cancelDetail(), null, true);
    }

    /**
     * {@return what a cancel's message adds, after "cancelled by the side"; empty unless a side has something
     * its user should learn then} The peer, if any, reads it too.
     */
    String cancelDetail() {
        return "";
    }

    /**
     * Cancels the migration if it is still running and waits, uninterruptibly, until its threads have stopped
     * and its channels are closed; an interrupt that arrives meanwhile is kept for the caller. What the public
     * {@code close()} of a source or destination does.
     */
    public final void cancelAndAwaitEnd() {
        cancel();
        boolean interrupted = false;
        while (true) {
            try {
                awaitEnd();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits until the migration has ended and all its threads have stopped.
     *
     * @return the final statistics
     * @throws InterruptedException if interrupted while waiting
     */
    public final MigrationStats awaitEnd() throws InterruptedException {
        finished.await();
        control.join();
        return finalStats;
    }

    /**
     * Waits up to {@code timeout} for the end.
     *
     * @param timeout how long to wait
     * @return whether the migration has ended and its threads have stopped
     * @throws InterruptedException if interrupted while waiting
     */
    public final boolean awaitEnd(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            return false;
        }
        return control.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
    }

    /**
     * Waits for the end and turns a failure into an exception.
     *
     * @return the final statistics when the migration completed
     * @throws MigrationException with the error and the final statistics otherwise
     */
    public final MigrationStats awaitCompletion() throws MigrationException {
        MigrationStats stats;
        try {
            stats = awaitEnd();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MigrationException("interrupted while waiting for the " + side + " to end; the migration"
                    + " goes on (cancel it to stop it)", stats(), e);
        }
        Ending end = ending.get();
        if (end.status() == MigrationStatus.COMPLETED) {
            return stats;
        }
        throw new MigrationException(end.message(), stats, end.cause());
    }

    /** {@return the error description for the statistics, or {@code null}} */
    final String errorDescription() {
        Ending end = ending.get();
        return end == null || end.status() == MigrationStatus.COMPLETED ? null : end.message();
    }

    /** {@return milliseconds since start, until the end} */
    final long totalTimeMillis() {
        long end = endNanos;
        return TimeUnit.NANOSECONDS.toMillis((end != 0 ? end : System.nanoTime()) - startNanos);
    }

    /** {@return milliseconds the setup took, 0 while in setup} */
    final long setupTimeMillis() {
        long done = setupDoneNanos;
        return done == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(done - startNanos);
    }

    /** {@return megabits per second over {@code bytes} since the start} */
    final double mbps(long bytes) {
        long millis = totalTimeMillis();
        return millis <= 0 ? 0 : bytes * 8.0 / 1000.0 / millis;
    }

    /**
     * {@return a duration in words: "10 s", "250 ms"}
     * @param duration the duration
     */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }
}
