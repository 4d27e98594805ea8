package migration.session;

import io.channel.ChannelListener;
import io.channel.IOChannel;
import io.channel.SocketAddressText;
import io.channel.tls.TlsChannel;
import io.channel.tls.TlsParameters;
import io.channel.tls.TlsSessionInfo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.protocol.Admission;
import migration.protocol.Frame;
import migration.protocol.FrameType;
import migration.protocol.Hello;
import migration.protocol.InitPacket;
import migration.protocol.MainChannel;
import migration.protocol.ProtocolException;
import migration.protocol.Wire;

/**
 * Sorts a destination's accepted connections into the migration's main channel, its multifd channels, and
 * strangers. Each connection is identified on its own short-lived thread ({@code identify-N}), so that one that
 * says nothing cannot hold up the others. Only the migration's own channels can fail it: the main channel (the
 * first connection to send the main magic) and the multifd channels whose init packet names the migration of its
 * HELLO. Anything else (a connect-and-close, a silent connection, another migration's channel, garbage) is dropped
 * and counted ({@link UnidentifiedConnections}).
 */
final class ConnectionSorter {

    /** What the sorter needs of its destination. */
    interface Host {
        /** {@return the parameters} */
        MigrationParameters params();

        /** {@return whether the migration is ending} */
        boolean stopping();

        /**
         * Registers a channel to shut down and close with the migration.
         *
         * @param channel the channel
         */
        void register(IOChannel channel);

        /**
         * Forgets a channel the sorter closed itself.
         *
         * @param channel the channel
         */
        void unregister(IOChannel channel);

        /**
         * Ends the migration.
         *
         * @param failure why
         */
        void fail(Failure failure);

        /**
         * Starts a short-lived worker.
         *
         * @param name   its name
         * @param action what it runs
         */
        void startShortWorker(String name, Runnable action);

        /** The migration's own main channel has begun: the setup timeout runs. */
        void armSetupDeadline();

        /**
         * Records a TLS handshake.
         *
         * @param session what it agreed on
         */
        void tlsSession(TlsSessionInfo session);

        /**
         * The main channel sent its HELLO frame: from now on failures are told to the source on it; decode HELLO,
         * open the blocks and read the main channel's frames.
         *
         * @param main  the main channel
         * @param hello the HELLO frame
         * @return the handshake
         * @throws ProtocolException  if HELLO is malformed
         * @throws MigrationException if the announced blocks do not fit
         */
        Hello mainIdentified(MainChannel main, Frame hello) throws ProtocolException, MigrationException;

        /**
         * A multifd channel identified itself.
         *
         * @param id      its id
         * @param channel the channel
         */
        void multifdIdentified(int id, IOChannel channel);
    }

    /** A connection that turned out not to be the migration's; the message says why. */
    private static final class Stranger extends Exception {
        private static final long serialVersionUID = 1L;

        /** Whether the operator should hear of it at once: a peer that is likely a misconfigured source. */
        private final boolean warn;

        Stranger(String reason) {
            this(reason, false);
        }

        Stranger(String reason, boolean warn) {
            super(reason, null, false, false);
            this.warn = warn;
        }
    }

    private final Host host;
    private final ChannelListener listener;
    /** The users let in over a Unix domain socket; looked up at the first such connection. */
    private PeerUsers peerUsers;
    private final UnidentifiedConnections<IOChannel> strangers;
    /** Counted down once the main channel and every multifd channel have identified themselves. */
    private final CountDownLatch ready = new CountDownLatch(1);
    // Guarded by this sorter's monitor.
    private boolean mainClaimed;
    private IOChannel[] dataChannels;
    private IOChannel handoverChannel;
    private volatile Hello hello;
    private volatile int connected;

    /**
     * @param host     the destination
     * @param listener the bound listener; the sorter closes it
     */
    ConnectionSorter(Host host, ChannelListener listener) {
        this.host = host;
        this.listener = listener;
        this.strangers = new UnidentifiedConnections<>(host.params().maxUnidentifiedConnections(),
                host.params().setupTimeout());
    }

    /** {@return the listener} */
    ChannelListener listener() {
        return listener;
    }

    /** {@return the source's HELLO once its main channel said it, else {@code null}} */
    Hello hello() {
        return hello;
    }

    /**
     * Waits until the main channel and every multifd channel have identified themselves, then closes the listener
     * and drops the connections still unidentified.
     *
     * @return the multifd channels, by id
     * @throws Session.Stopped      if the migration ends first
     * @throws InterruptedException if interrupted
     */
    List<IOChannel> awaitChannels() throws Session.Stopped, InterruptedException {
        while (!ready.await(100, TimeUnit.MILLISECONDS)) {
            if (host.stopping()) {
                throw new Session.Stopped();
            }
        }
        if (host.stopping()) {
            throw new Session.Stopped();
        }
        closeListener();
        for (IOChannel channel : strangers.dropAll("still unidentified when the migration's channels were complete")) {
            Session.shutdownQuietly(channel);
        }
        synchronized (this) {
            return List.of(dataChannels);
        }
    }

    /** Accepts connections until the migration's channels are complete; each is identified on its own thread. */
    void acceptConnections() {
        int accepted = 0;
        while (!host.stopping() && ready.getCount() > 0) {
            IOChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                if (!host.stopping() && ready.getCount() > 0) {
                    host.fail(new Failure.Transport("accepting a connection on " + listener.localSocketAddress()
                            + " failed: " + e.getMessage(), e));
                }
                return;
            }
            host.register(channel);
            if (!strangers.admit(channel, System.nanoTime())) {
                closeStranger(channel);
                continue;
            }
            accepted++;
            host.startShortWorker("identify-" + accepted, () -> identify(channel));
        }
    }

    /** Finds out what an accepted connection is; drops it if it is not the migration's. */
    private void identify(IOChannel accepted) {
        String from = address(accepted);
        IOChannel channel = accepted;
        try {
            checkPeerUser(accepted);
            if (host.params().tls() != null) {
                channel = secure(accepted, from);
            }
            identifyOrReject(channel, from);
        } catch (Stranger e) {
            if (strangers.drop(channel, e.getMessage())) {
                Session.LOG.log(e.warn && !host.stopping() ? System.Logger.Level.WARNING
                        : System.Logger.Level.DEBUG, "dropped a connection: " + e.getMessage());
            }
            closeStranger(channel);
        } catch (ProtocolException | MigrationException e) {
            host.fail(new Failure.Local(e.getMessage(), e));
        } catch (IOException e) {
            if (!host.stopping()) {
                host.fail(new Failure.Transport("main channel from " + from + ": " + e.getMessage(), e));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            host.fail(new Failure.Local("identifying a connection from " + from + ": internal error: " + e, e));
        }
    }

    /**
     * Runs the TLS handshake on an accepted connection before it may say anything; the setup timeout bounds it
     * too. A peer that fails it is a stranger, refused with a warning that says why.
     */
    private IOChannel secure(IOChannel accepted, String from) throws Stranger {
        MigrationParameters params = host.params();
        TlsParameters tls = params.tls();
        TlsChannel channel;
        try {
            channel = TlsChannel.server(accepted, params.setupTimeout().compareTo(tls.handshakeTimeout()) < 0
                    ? tls.withHandshakeTimeout(params.setupTimeout()) : tls);
            // TLS admission (PROTOCOL.md 1.1): the source's identity checked and answered before it says anything.
            Admission.answer(channel, tls);
        } catch (IOException e) {
            String why = "refused a connection from " + from + ": " + e.getMessage();
            if (strangers.contains(accepted) && !host.stopping()) {
                Session.LOG.log(System.Logger.Level.WARNING, why);
            }
            throw new Stranger(why);
        }
        host.register(channel);
        host.unregister(accepted);
        if (!strangers.replace(accepted, channel)) {
            throw new Stranger("a connection from " + from + " completed its TLS handshake too late");
        }
        host.tlsSession(channel.session());
        return channel;
    }

    /**
     * Refuses, before reading a byte, a connection over a Unix domain socket from a process of a user not let in
     * ({@link PeerUsers}); a warning says who it was. Other connections pass.
     */
    private void checkPeerUser(IOChannel accepted) throws Stranger {
        if (!(accepted.remoteSocketAddress() instanceof UnixDomainSocketAddress)) {
            return;
        }
        String why;
        try {
            why = peerUsers().refusal(accepted.peerUser().orElse(null),
                    SocketAddressText.of(listener.localSocketAddress()));
        } catch (IOException e) {
            why = "refused a connection on " + SocketAddressText.of(listener.localSocketAddress()) + ": its user"
                    + " cannot be checked: " + e.getMessage();
        }
        if (why != null) {
            if (strangers.contains(accepted) && !host.stopping()) {
                Session.LOG.log(System.Logger.Level.WARNING, why);
            }
            throw new Stranger(why);
        }
    }

    /** {@return the users let in over a Unix domain socket, looked up once} */
    private synchronized PeerUsers peerUsers() throws IOException {
        if (peerUsers == null) {
            peerUsers = new PeerUsers(host.params().allowedPeerUids());
        }
        return peerUsers;
    }

    private static String address(IOChannel channel) {
        try {
            InetSocketAddress inet = channel.remoteAddress();
            return inet != null ? String.valueOf(inet) : SocketAddressText.of(channel.remoteSocketAddress());
        } catch (RuntimeException e) {
            return "an unknown address";
        }
    }

    private void closeStranger(IOChannel channel) {
        host.unregister(channel);
        try {
            channel.close();
        } catch (IOException | RuntimeException e) {
            Session.LOG.log(System.Logger.Level.DEBUG, "closing a dropped connection failed", e);
        }
    }

    /**
     * Reads the connection's first bytes and adopts it as the main channel or a multifd channel.
     *
     * @throws Stranger           if it is not the migration's (nothing to fail)
     * @throws ProtocolException  if the migration's own channel breaks the protocol
     * @throws MigrationException if the announced blocks are unfit
     * @throws IOException        if the main channel's connection fails after it identified itself
     */
    private void identifyOrReject(IOChannel channel, String from)
            throws Stranger, IOException, MigrationException, InterruptedException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment packet = arena.allocate(InitPacket.SIZE);
            MemorySegment preamble = packet.asSlice(0, Wire.PREAMBLE_SIZE);
            readUnidentified(channel, preamble, "a connection from " + from);
            int magic = preamble.get(Wire.INT, 0);
            if (magic == Wire.MAIN_MAGIC) {
                adoptMain(channel, from, preamble.get(Wire.INT, 4));
            } else if (magic == Wire.MULTIFD_MAGIC) {
                readUnidentified(channel, packet.asSlice(Wire.PREAMBLE_SIZE), "multifd channel from " + from);
                InitPacket init;
                try {
                    init = InitPacket.decode(packet, from);
                } catch (ProtocolException e) {
                    throw new Stranger(e.getMessage());
                }
                adoptMultifd(channel, init);
            } else if (TlsChannel.looksLikeTls(preamble)) {
                throw new Stranger("a connection from " + from + " speaks TLS (its first bytes are a TLS handshake"
                        + " record), but this destination runs without TLS: configure TLS on both sides or on"
                        + " neither", true);
            } else {
                throw new Stranger("a connection from " + from + " sent magic " + Wire.hex(magic & 0xffffffffL)
                        + ", which is neither the main channel's " + Wire.hex(Wire.MAIN_MAGIC) + " nor a multifd"
                        + " channel's " + Wire.hex(Wire.MULTIFD_MAGIC));
            }
        }
    }

    /** Reads bytes of a connection that has not identified itself yet: any failure makes it a stranger. */
    private static void readUnidentified(IOChannel channel, MemorySegment into, String what) throws Stranger {
        try {
            if (!Wire.readOrEnd(channel, into, "its first bytes")) {
                throw new Stranger(what + " closed before identifying itself");
            }
        } catch (IOException e) {
            throw new Stranger(what + " failed before identifying itself: " + e.getMessage());
        }
    }

    private void adoptMain(IOChannel channel, String from, int version)
            throws Stranger, IOException, MigrationException {
        synchronized (this) {
            if (mainClaimed) {
                throw new Stranger("a second main channel connected from " + from);
            }
            if (!strangers.identified(channel)) {
                throw new Stranger("a main channel from " + from + " identified itself too late");
            }
            mainClaimed = true;
        }
        // The migration's own main channel from here on: what goes wrong fails the migration, and the setup
        // timeout runs (a destination may wait long for its source, but not for a source that has begun).
        host.armSetupDeadline();
        if (version != Wire.VERSION) {
            throw new ProtocolException("main channel from " + from + ": received version "
                    + Integer.toUnsignedString(version) + ", expected " + Wire.VERSION);
        }
        MainChannel candidate = new MainChannel(channel);
        Frame frame = candidate.read("the source");
        if (frame == null || frame.type() != FrameType.HELLO) {
            throw new ProtocolException("main channel from " + from + ": expected a HELLO frame, received "
                    + (frame == null ? "end of stream" : frame.type()));
        }
        Hello received = host.mainIdentified(candidate, frame);
        synchronized (this) {
            dataChannels = new IOChannel[received.channels()];
            hello = received;
            // Multifd channels that arrived first wait for this.
            notifyAll();
            checkReady();
        }
    }

    private void adoptMultifd(IOChannel channel, InitPacket init)
            throws Stranger, ProtocolException, InterruptedException {
        synchronized (this) {
            // Before HELLO nobody knows which migration this channel belongs to: it waits, still unidentified
            // (counted against the bound and its own timeout).
            while (hello == null) {
                if (host.stopping() || !strangers.contains(channel)) {
                    throw new Stranger("multifd channel " + Integer.toUnsignedString(init.channel())
                            + " waited in vain for its main channel");
                }
                wait(100);
            }
            String mismatch = init.mismatch(hello.migrationId());
            if (mismatch != null) {
                throw new Stranger(mismatch);
            }
            if (!strangers.identified(channel)) {
                throw new Stranger("multifd channel " + Integer.toUnsignedString(init.channel())
                        + " identified itself too late");
            }
            // The migration's own channel from here on.
            if (init.handover()) {
                adoptHandover(channel);
                return;
            }
            init.checkChannel(hello.channels());
            int id = init.channel();
            if (dataChannels[id] != null) {
                throw new ProtocolException("multifd: received channel id " + id + " twice (already set up)");
            }
            dataChannels[id] = channel;
            host.multifdIdentified(id, channel);
            connected++;
            checkReady();
        }
    }

    /** The handover channel identified itself; called with the monitor held. */
    private void adoptHandover(IOChannel channel) throws ProtocolException {
        if (hello.handedOver().isEmpty()) {
            throw new ProtocolException("multifd: a handover channel connected, but HELLO hands no block over");
        }
        if (handoverChannel != null) {
            throw new ProtocolException("multifd: a second handover channel connected");
        }
        handoverChannel = channel;
        checkReady();
    }

    /** Called with the monitor held. */
    private void checkReady() {
        if (hello != null && connected == hello.channels()
                && (hello.handedOver().isEmpty() || handoverChannel != null)) {
            ready.countDown();
        }
    }

    /**
     * {@return the handover channel, once every channel identified itself; {@code null} if HELLO hands nothing
     * over}
     */
    synchronized IOChannel handoverChannel() {
        return handoverChannel;
    }

    /**
     * Drops the connections that did not identify themselves in time.
     *
     * @param now {@link System#nanoTime()}
     */
    void expire(long now) {
        for (IOChannel channel : strangers.expire(now, "a connection did not identify itself within "
                + Session.format(host.params().setupTimeout()))) {
            // Its identifying thread wakes, finds it dropped, and closes it.
            Session.shutdownQuietly(channel);
        }
    }

    /** {@return the connections dropped as strangers} */
    long dropped() {
        return strangers.dropped();
    }

    /** {@return the count of refused connections and the last reason, for messages; empty when none} */
    String summary() {
        return strangers.summary();
    }

    /** {@return the message for a setup that took longer than the setup timeout} */
    String setupTimeoutMessage() {
        Hello current = hello;
        String limit = Session.format(host.params().setupTimeout());
        if (current == null) {
            return "the main channel did not send its HELLO within " + limit + strangers.summary();
        }
        IOChannel handover = handoverChannel();
        return "multifd: only " + connected + " of " + current.channels() + " channels"
                + (current.handedOver().isEmpty() || handover != null ? "" : " and not the handover channel")
                + " connected within " + limit + strangers.summary();
    }

    /** Wakes the multifd channels that wait for HELLO, so that they see the migration ending. */
    void wake() {
        synchronized (this) {
            notifyAll();
        }
    }

    /** Closes the listener; idempotent. */
    void closeListener() {
        try {
            listener.close();
        } catch (IOException e) {
            Session.LOG.log(System.Logger.Level.DEBUG, "closing the listener failed", e);
        }
    }
}
