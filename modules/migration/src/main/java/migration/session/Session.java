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
import migration.ChannelStats;
import migration.LiveStats;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationProtocol;
import migration.MigrationStats;
import migration.MigrationStatus;
import migration.Ownership;
import migration.TlsStats;
import migration.VerifiedBy;
import migration.ZeroCopyStats;
import migration.multifd.ChannelCounters;
import migration.multifd.TransferCounters;
import migration.protocol.Frame;
import migration.protocol.FrameType;
import migration.protocol.MainChannel;
import migration.protocol.ProtocolException;

/**
 * What a source and a destination have in common: the first-failure-wins outcome, the threads and channels to
 * stop, the main channel's reader, the bounded waits of the control thread, and the statistics.
 *
 * <p>Threads: a control thread runs {@link #runSession()} and, at the end, stops and joins every other thread
 * ({@link Workers}), closes every channel and only then publishes the final status. A {@link Watchdog} sends
 * heartbeats and applies the liveness rule, the setup deadline and the side's progress rule ({@link #stalled}).
 * No thread blocks for ever: every wait of the control thread is bounded ({@link #await}) and checks
 * {@link #stopping()} at least every 100 ms, and every channel operation ends when {@link #fail} shuts the
 * channels down.
 *
 * <p>Each side moves through its own phase enum ({@link SourcePhase}, {@link DestinationPhase}) with checked
 * transitions; the public status is the phase's while running and the outcome's once ended. Failures are typed
 * ({@link Failure}): the kind decides the status and whether the peer is told.
 *
 * <p>Why one class of this size: it is the single owner of a side's threads, channels and outcome, and the order
 * in which an end happens (decide the outcome once, tell the peer, shut channels down, join workers, close
 * channels, run the side's end hook, publish) must be readable in one place. What does not touch that order lives
 * apart: {@link Watchdog}, {@link Workers}, {@link MainChannelReader}, {@link Phases}.
 */
public abstract class Session {

    /** Prefix of every thread a migration starts; tests count live threads by it. */
    public static final String THREAD_PREFIX = "migration-";
    /** How long a thread that hit a connection error waits for the main channel to explain it. */
    static final Duration TRANSPORT_ERROR_GRACE = Duration.ofSeconds(1);
    /** How long stopping may take before the watchdog shuts channels down again. */
    static final Duration KICK_DELAY = Duration.ofSeconds(1);
    /** How long to wait for a thread to end before closing channels under it. */
    static final Duration JOIN_TIMEOUT = Duration.ofSeconds(10);

    static final System.Logger LOG = System.getLogger("migration");

    /**
     * The final outcome once decided: the first one wins.
     *
     * @param status  COMPLETED, FAILED or CANCELLED
     * @param message why it failed, or {@code null}
     * @param cause   the error, or {@code null}
     * @param failure the failure, or {@code null} when completed
     */
    record Ending(MigrationStatus status, String message, Throwable cause, Failure failure) {
        static final Ending COMPLETED = new Ending(MigrationStatus.COMPLETED, null, null, null);
        /**
         * Claimed before the step that completes the migration and cannot be taken back (the source's COMMIT): no
         * failure may overtake it, only {@link Session#completionFailed} if that step fails. Compared by identity.
         */
        static final Ending COMMITTING = new Ending(MigrationStatus.COMPLETED, null, null, null);

        static Ending of(Failure failure) {
            return new Ending(failure.status(), failure.message(), failure.cause(), failure);
        }
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
    private volatile VerifiedBy verifiedBy = VerifiedBy.NONE;
    private volatile long setupDoneNanos;
    private volatile long endNanos;
    /** When the switchover ended (COMMIT sent or received), or 0: the end of {@link #totalTimeMillis()}. */
    private volatile long switchedOverNanos;
    private volatile MigrationStatus finalStatus;
    private volatile boolean stopping;
    private volatile MainChannel main;
    /** When SETUP must be over, or 0 while the deadline is not armed. */
    private volatile long setupDeadlineNanos;
    /** The first TLS handshake's outcome (every channel's agrees), or null. */
    private volatile TlsSessionInfo tlsSession;

    private final AtomicReference<Ending> ending = new AtomicReference<>();
    private final Set<IOChannel> channels = ConcurrentHashMap.newKeySet();
    private final Workers workers;
    private final Watchdog watchdog;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final CountDownLatch mainReaderEnded = new CountDownLatch(1);
    /** Whether a thread reads the main channel now (so a connection error may soon be explained). */
    private volatile boolean mainReaderStarted;
    private volatile MigrationStats finalStats;
    private Thread control;

    Session(String side, String peer, MigrationParameters params) {
        this.side = side;
        this.peer = peer;
        this.params = params;
        this.workers = new Workers(THREAD_PREFIX + side + "-");
        this.watchdog = new Watchdog(new WatchedSide(), peer, params.livenessTimeout(),
                THREAD_PREFIX + side + "-watchdog");
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

    /** {@return "the source" or "the destination": the peer, as messages name it} */
    final String thePeer() {
        return "the " + peer;
    }

    // ---- What a side tells the base.

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
        watchdog.heartbeats(true);
    }

    /** The handshake is done: pages move, heartbeats flow and the peer must show signs of life. */
    final void setupDone() {
        setupDoneNanos = System.nanoTime();
        watchdog.heartbeats(true);
        watchdog.silenceCheck(true);
    }

    /** Every channel ended a round at its SYNC. */
    final void roundEnded() {
        counters.dirtySyncCount.incrementAndGet();
    }

    /**
     * The verdict is known and the peer may go quiet from now on: no more heartbeats, no more silence check.
     *
     * @param by what proved the memory intact, {@link VerifiedBy#NONE} if nothing did
     */
    final void verdict(VerifiedBy by) {
        verifiedBy = by;
        watchdog.heartbeats(false);
        watchdog.silenceCheck(false);
    }

    /**
     * After the last frame this side sends: the watchdog shuts the main channel down after {@code limit} if the
     * peer has not closed it by then.
     *
     * @param limit how long to wait for the peer to close
     */
    final void drainFor(Duration limit) {
        watchdog.drainFor(limit);
    }

    /** A thread reads the main channel from now on (so a connection error elsewhere may soon be explained). */
    final void mainReaderStarted() {
        mainReaderStarted = true;
    }

    /** The peer showed a sign of life. */
    final void touch() {
        watchdog.touch();
    }

    /**
     * Reads the main channel on the calling thread until the peer is done ({@link MainChannelReader}).
     *
     * @param handler the side's frames
     * @param end     what the end of the main channel means now
     */
    final void readFrames(MainChannelReader.FrameHandler handler, MainChannelReader.End end) {
        try {
            new MainChannelReader(this, peer).read(handler, end);
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

    /**
     * Waits on the control thread for {@code latch}, at most {@code limit}; fails the migration with a
     * {@link Failure.Timeout} that names the wait and the peer when it runs out.
     *
     * @param latch what to wait for
     * @param limit the bound, a parameter of the migration's
     * @param what  what is awaited, as the message says it ("the RESULT after COMPLETE")
     * @param hint  what the user can do or change, appended to the message
     * @throws Stopped              if the migration is ending (a timeout included)
     * @throws InterruptedException if the control thread is interrupted
     */
    final void await(CountDownLatch latch, Duration limit, String what, String hint)
            throws Stopped, InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!latch.await(100, TimeUnit.MILLISECONDS)) {
            checkStopping();
            if (System.nanoTime() - deadline > 0) {
                fail(new Failure.Timeout("the " + peer + " did not send " + what + " within " + format(limit)
                        + (hint.isEmpty() ? "" : "; " + hint)));
                throw new Stopped();
            }
        }
        checkStopping();
    }

    /**
     * Throws {@link Stopped} once the migration is ending.
     *
     * @throws Stopped if it is
     */
    final void checkStopping() throws Stopped {
        if (stopping) {
            throw new Stopped();
        }
    }

    /** {@return the live statistics} */
    public final MigrationStats stats() {
        List<ChannelStats> perChannel = channelCounters.stream().map(ChannelCounters::snapshot).toList();
        MainChannel current = main;
        long mainBytes = current == null ? 0 : mainBytes(current);
        long multifd = counters.multifdBytes.sum();
        long transferred = mainBytes + multifd;
        long all = total;
        MigrationStatus status = finalStatus != null ? finalStatus : phaseStatus();
        return new MigrationStats(status, totalTimeMillis(), setupTimeMillis(), transferred, all,
                remaining(all), mbps(transferred), counters.normalPages.sum(),
                counters.duplicatePages.sum(), counters.normalBytes.sum(), counters.dirtySyncCount.get(),
                counters.dirtySyncMissedZeroCopy.get(), multifd, MigrationProtocol.PAGE_SIZE, perChannel,
                zeroCopyStats(perChannel), errorDescription(), verifiedBy != VerifiedBy.NONE,
                unidentifiedConnections(), liveStats(), params.tls() == null ? TlsStats.OFF : TlsStats.of(tlsSession),
                ownership(), verifiedBy, writeProtectTimeMillis());
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

    /** {@return the status of the side's current phase (SETUP or ACTIVE) while it has not ended} */
    abstract MigrationStatus phaseStatus();

    /** {@return which side owns the memory now, as far as this side knows} */
    abstract Ownership ownership();

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
     * Checks the progress rule, every 100 ms while pages move: a multifd channel that has data to move must move
     * some within the progress timeout.
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
            ending.compareAndSet(null, Ending.COMPLETED);
        } catch (Stopped e) {
            ending.compareAndSet(null, Ending.of(new Failure.Local("stopped without a reason", null)));
        } catch (MigrationException e) {
            fail(new Failure.Local(e.getMessage(), e.getCause() != null ? e.getCause() : e));
        } catch (ProtocolException e) {
            fail(new Failure.Local(e.getMessage(), e));
        } catch (IOException e) {
            transportFailed(e.getMessage(), e);
        } catch (InterruptedException e) {
            fail(new Failure.Local("the " + side + " control thread was interrupted", e));
        } catch (Exception | Error e) {
            fail(new Failure.Local("internal error: " + e, e));
        } finally {
            finish();
        }
    }

    private void finish() {
        stopping = true;
        wakeWaiters();
        boolean clean = ending.get().status() == MigrationStatus.COMPLETED;
        workers.joinAll(JOIN_TIMEOUT, this::kick);
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
        watchdog.stop(JOIN_TIMEOUT);
        try {
            ended(ending.get().status());
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.WARNING, "ending the " + side + " failed", e);
        }
        endNanos = System.nanoTime();
        finalStatus = ending.get().status();
        finalStats = stats();
        finished.countDown();
    }

    /**
     * Starts a worker thread that the end of the migration joins.
     *
     * @param name   the name after {@value #THREAD_PREFIX} and the side
     * @param action what it runs
     */
    final void startWorker(String name, Runnable action) {
        workers.start(name, action);
    }

    /**
     * Starts a worker thread that forgets itself when it ends, for short tasks that may come in large numbers
     * (one per accepted connection); the end of the migration joins those still running.
     *
     * @param name   the name after {@value #THREAD_PREFIX} and the side
     * @param action what it runs
     */
    final void startShortWorker(String name, Runnable action) {
        workers.startShort(name, action);
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
     * Ends the migration with this failure unless another outcome came first; then tells the peer (best effort)
     * if the failure's kind says so, and shuts every channel down so that blocked threads wake.
     *
     * @param failure why
     * @return whether this call decided the outcome
     */
    final boolean fail(Failure failure) {
        if (!ending.compareAndSet(null, Ending.of(failure))) {
            return false;
        }
        stop(failure);
        return true;
    }

    /**
     * Claims the outcome COMPLETED before the one step that completes the migration and cannot be taken back;
     * from now on {@link #fail} does nothing (a cancel included), until {@link #completionFailed}.
     *
     * @return whether the claim succeeded; {@code false} when the migration is already ending
     */
    final boolean claimCompletion() {
        return ending.compareAndSet(null, Ending.COMMITTING);
    }

    /**
     * The step that a {@link #claimCompletion() claim} was for failed, and failed in a way that leaves the
     * migration not completed: the failure replaces the claim.
     *
     * @param failure why
     */
    final void completionFailed(Failure failure) {
        if (ending.compareAndSet(Ending.COMMITTING, Ending.of(failure))) {
            stop(failure);
        }
    }

    /** Tells the peer (if the failure's kind says so) and shuts every channel down. */
    private void stop(Failure failure) {
        watchdog.kickAgainAfter(KICK_DELAY);
        stopping = true;
        watchdog.heartbeats(false);
        wakeWaiters();
        MainChannel current = main;
        if (failure.tellsPeer() && current != null) {
            Frame frame = Frame.text(failure.status() == MigrationStatus.CANCELLED ? FrameType.CANCEL
                    : FrameType.ERROR, failure.message());
            try {
                current.trySend(frame, 500);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "could not tell the " + peer + " why the migration ends", e);
            }
        }
        kick();
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
        fail(new Failure.Transport(message, cause));
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
            fail(new Failure.Local(message, cause));
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

    /** The side as its watchdog sees it. */
    private final class WatchedSide implements Watchdog.Host {
        @Override
        public MainChannel main() {
            return main;
        }

        @Override
        public boolean stopping() {
            return stopping;
        }

        @Override
        public Failure broken(long now) {
            long deadline = setupDeadlineNanos;
            MigrationStatus status = phaseStatus();
            if (status == MigrationStatus.SETUP && deadline != 0 && now - deadline > 0) {
                return new Failure.Timeout(setupTimeoutMessage());
            }
            String why = status == MigrationStatus.ACTIVE ? stalled(now) : null;
            return why == null ? null : new Failure.Timeout(why);
        }

        @Override
        public void expire(long now) {
            Session.this.expire(now);
        }

        @Override
        public void fail(Failure failure) {
            Session.this.fail(failure);
        }

        @Override
        public void kick() {
            Session.this.kick();
        }
    }

    /**
     * Asks the migration to stop: tells the peer with CANCEL and shuts the channels down. Returns at once;
     * idempotent, callable from any thread.
     */
    public final void cancel() {
        fail(new Failure.Cancelled("cancelled by the " + side + cancelDetail(), false));
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

    /**
     * {@return milliseconds since start, until the switchover ended or else until the end} What a side does after
     * COMMIT (closing its channels; a source that handed memory over, write-protecting it) is its own business:
     * the destination runs the memory by then.
     */
    final long totalTimeMillis() {
        long end = switchedOverNanos != 0 ? switchedOverNanos : endNanos;
        return TimeUnit.NANOSECONDS.toMillis((end != 0 ? end : System.nanoTime()) - startNanos);
    }

    /** Marks the end of the switchover: COMMIT was handed to the main channel, or arrived. */
    final void switchedOver() {
        switchedOverNanos = System.nanoTime();
    }

    /** {@return milliseconds a source spent write-protecting memory it handed over, after COMMIT; 0 by default} */
    long writeProtectTimeMillis() {
        return 0;
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
