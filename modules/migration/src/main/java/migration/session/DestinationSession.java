package migration.session;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.ChannelProviders;
import io.channel.IOChannel;
import io.channel.memory.PageMemory;
import io.channel.spi.ChannelProvider;
import io.channel.tls.TlsChannel;
import io.channel.tls.TlsParameters;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import migration.ChannelStats;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationStatus;
import migration.RamBlock;
import migration.RamBlockProvider;
import migration.ZeroCopyStats;
import migration.multifd.MultifdReceiver;
import migration.multifd.IncrementalBlockDigest;
import migration.multifd.ReceiverHost;
import migration.multifd.ReceivingBlock;
import migration.multifd.RoundBarrier;
import migration.multifd.TransferCounters;
import migration.protocol.Complete;
import migration.protocol.Frame;
import migration.protocol.FrameType;
import migration.protocol.Hello;
import migration.protocol.InitPacket;
import migration.protocol.MainChannel;
import migration.protocol.ProtocolException;
import migration.protocol.Result;
import migration.protocol.RoundEnd;
import migration.protocol.RoundReceived;
import migration.protocol.Wire;

/**
 * The destination side of a migration: accepts the main channel and the multifd channels in any order,
 * validates the handshake and every init packet, receives pages on one platform thread per channel
 * ({@code migration-destination-multifd-N}), meets the channels at each round's end, and checks the
 * source's digests before answering with the verdict.
 *
 * <p>Connections are identified concurrently, one short-lived thread each ({@code identify-N}), so that a
 * connection that says nothing cannot hold up the others. Only the migration's own channels can fail it: the
 * main channel (the first connection to send the main magic) and the multifd channels whose init packet names
 * the migration of its HELLO. Anything else (a connect-and-close, a silent connection, another migration's
 * channel, garbage) is dropped and counted ({@link UnidentifiedConnections}).
 *
 * <p>A main channel reader ({@code main-reader}) reads the source's frames from HELLO to the end, so the liveness
 * rule holds after COMPLETE too; it hands ROUND_END and COMPLETE to the control thread, which meets the channels at
 * each round's end.
 */
public final class DestinationSession extends Session implements ReceiverHost {

    /** How long the destination reads the main channel after RESULT, waiting for the source to close it. */
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(5);

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

    private final ChannelListener listener;
    private final RamBlockProvider provider;
    private final Predicate<RamBlock> knownZero;
    private final Function<RamBlock, FileChannel> files;
    private final boolean prefault;
    private final TransferCounters counters;
    private final List<RamBlock> blocks = new CopyOnWriteArrayList<>();
    private final UnidentifiedConnections<IOChannel> strangers;
    /** Counted down once the main channel and every multifd channel have identified themselves. */
    private final CountDownLatch ready = new CountDownLatch(1);
    /** ROUND_END and COMPLETE frames, from the main channel's reader to the control thread. */
    private final BlockingQueue<Object> roundEnds = new LinkedBlockingQueue<>();
    // Setup state, guarded by this session's monitor.
    private boolean mainClaimed;
    private IOChannel[] dataChannels;
    private volatile Hello hello;
    private volatile int connected;
    /** Set by the control thread, read by the threads that wake waiters: volatile. */
    private volatile RoundBarrier barrier;
    private volatile List<MultifdReceiver> receivers = List.of();
    /** The round the control thread waits for every channel to end, or 0; written after the two below. */
    private volatile int awaitedRound;
    private volatile long awaitedSince;
    private volatile boolean awaitedLast;
    /** Whether RESULT is being or has been sent: the source may close the main channel from then on. */
    private volatile boolean resultSent;

    private DestinationSession(ChannelListener listener, RamBlockProvider provider, Predicate<RamBlock> knownZero,
                               Function<RamBlock, FileChannel> files, boolean prefault, MigrationParameters params) {
        super("destination", "source", params);
        this.listener = listener;
        this.provider = provider;
        this.knownZero = knownZero;
        this.files = files;
        this.prefault = prefault;
        this.counters = counters();
        this.strangers = new UnidentifiedConnections<>(params.maxUnidentifiedConnections(), params.setupTimeout());
    }

    /**
     * Binds the listening socket now and accepts in the background.
     *
     * @param local      where to listen; port 0 picks a free port
     * @param provider   supplies the memory for each announced block
     * @param knownZero  tells whether a block's memory is known to be all zero
     * @param params     the parameters
     * @param candidates channel providers to choose from, or {@code null} for those on the module path
     * @return the running session
     * @throws MigrationException if no provider is usable or binding fails
     */
    public static DestinationSession listen(InetSocketAddress local, RamBlockProvider provider,
                                            Predicate<RamBlock> knownZero, MigrationParameters params,
                                            List<ChannelProvider> candidates) throws MigrationException {
        return listen(local, provider, knownZero, block -> null, true, params, candidates);
    }

    /**
     * Like {@link #listen(InetSocketAddress, RamBlockProvider, Predicate, MigrationParameters, List)}, with blocks
     * whose pages the receivers write to the file the block maps rather than through the mapping.
     *
     * @param local      where to listen
     * @param provider   supplies the memory
     * @param knownZero  tells whether a block's memory is known to be all zero
     * @param files      gives the file (open for writing) that a block maps, to write its pages to, or
     *                   {@code null} to write through the block's memory
     * @param params     the parameters
     * @param candidates channel providers, or {@code null}
     * @return the running session
     * @throws MigrationException if no provider is usable or binding fails
     */
    public static DestinationSession listen(InetSocketAddress local, RamBlockProvider provider,
                                            Predicate<RamBlock> knownZero, Function<RamBlock, FileChannel> files,
                                            MigrationParameters params, List<ChannelProvider> candidates)
            throws MigrationException {
        return listen(local, provider, knownZero, files, true, params, candidates);
    }

    /**
     * Like {@link #listen(InetSocketAddress, RamBlockProvider, Predicate, Function, MigrationParameters, List)},
     * choosing whether fresh blocks (those {@code knownZero} accepts) and writable file mappings are populated
     * ahead of the receivers (see {@link Prefaulter}).
     *
     * @param local      where to listen
     * @param provider   supplies the memory
     * @param knownZero  tells whether a block's memory is fresh, all zero and never touched
     * @param files      gives the file (open for writing) that a block maps, to write its pages to, or
     *                   {@code null} to write through the block's memory
     * @param prefault   whether to populate memory ahead of the receivers
     * @param params     the parameters
     * @param candidates channel providers, or {@code null}
     * @return the running session
     * @throws MigrationException if no provider is usable or binding fails
     */
    public static DestinationSession listen(InetSocketAddress local, RamBlockProvider provider,
                                            Predicate<RamBlock> knownZero, Function<RamBlock, FileChannel> files,
                                            boolean prefault, MigrationParameters params,
                                            List<ChannelProvider> candidates) throws MigrationException {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(params, "params");
        ChannelProvider chosen;
        try {
            if (candidates != null) {
                chosen = ChannelProviders.select(candidates, params.provider()).chosen();
            } else if (params.provider() != null) {
                chosen = ChannelProviders.select(ChannelProviders.all(), params.provider()).chosen();
            } else {
                // A destination only receives: zero-copy, a way of sending, is of no use here.
                chosen = ChannelProviders.selectForCopying().chosen();
            }
        } catch (RuntimeException e) {
            throw new MigrationException("no usable channel provider: " + e.getMessage(), e);
        }
        ChannelListener listener;
        try {
            listener = chosen.listen(local, ChannelOptions.defaults());
        } catch (IOException e) {
            throw new MigrationException("cannot listen on " + local + ": " + e.getMessage(), e);
        }
        if (params.tls() == null && !local.getAddress().isLoopbackAddress()) {
            LOG.log(System.Logger.Level.WARNING, "listening on " + listener.localAddress() + " without TLS: anyone"
                    + " who can reach this port can write this process's memory; configure TLS to accept only"
                    + " authenticated sources");
        }
        DestinationSession session = new DestinationSession(listener, provider, knownZero, files, prefault, params);
        session.startThreads();
        return session;
    }

    /** {@return the bound address} */
    public InetSocketAddress localAddress() {
        return listener.localAddress();
    }

    /** {@return the blocks received into so far, in the source's order} */
    public List<RamBlock> blocks() {
        return List.copyOf(blocks);
    }

    @Override
    void runSession() throws Exception {
        MigrationParameters params = params();
        startWorker("acceptor", this::acceptConnections);
        while (!ready.await(100, TimeUnit.MILLISECONDS)) {
            checkStopping();
        }
        checkStopping();
        closeListener();
        for (IOChannel channel : strangers.dropAll("still unidentified when the migration's channels were complete")) {
            shutdownQuietly(channel);
        }
        main().send(Frame.empty(FrameType.ACCEPT));
        setupDone();

        List<ReceivingBlock> receiving = new ArrayList<>();
        List<Boolean> populate = new ArrayList<>();
        for (RamBlock block : blocks) {
            boolean zero = knownZero.test(block);
            FileChannel file = files.apply(block);
            receiving.add(ReceivingBlock.of(block.name(), block.memory(), zero, params.verify(), file));
            // A writable file mapping is written page by page, zero pages too where it is not known zero:
            // populating it ahead allocates nothing the receivers would not, and spares them a fault per page
            // inside recvmsg's copy. A block written through its file is never faulted in.
            populate.add(file == null && (zero || block.memory().isMapped() && !block.memory().isReadOnly()));
        }
        if (prefault && populate.contains(true) && PageMemory.provider().allocatesUntouched()) {
            startWorker("prefault", new Prefaulter(blocks.stream().map(RamBlock::memory).toList(), populate,
                    counters.processedBytes::sum, this::stopping));
        }
        RoundBarrier rounds = new RoundBarrier(dataChannels.length);
        barrier = rounds;
        List<MultifdReceiver> list = new ArrayList<>();
        for (int i = 0; i < dataChannels.length; i++) {
            list.add(new MultifdReceiver(i, dataChannels[i], receiving, rounds, counters, channelCounters().get(i),
                    this));
        }
        receivers = List.copyOf(list);
        for (MultifdReceiver receiver : list) {
            startWorker("multifd-" + receiver.id(), receiver);
        }
        Complete complete = null;
        while (complete == null) {
            Object next = roundEnds.poll(100, TimeUnit.MILLISECONDS);
            checkStopping();
            if (next instanceof Complete last) {
                awaitRound(rounds, last.rounds(), true);
                complete = last;
            } else {
                if (next instanceof RoundEnd end) {
                    awaitRound(rounds, end.round(), false);
                }
                // Between frames, while the pages arrive: fold what arrived, so that after COMPLETE only the
                // last round's pages are left to fold (inside the source's downtime).
                foldArrived(receiving);
            }
        }
        long received = 0;
        for (MultifdReceiver receiver : list) {
            received += receiver.dataPackets();
        }
        String problem = null;
        if (received != complete.dataPackets()) {
            problem = "the source sent " + complete.dataPackets() + " data packets, but the destination received "
                    + received;
        }
        boolean checked = false;
        if (problem == null && complete.digests() != null && params.verify()) {
            List<String> mismatches = new ArrayList<>();
            for (int i = 0; i < blocks.size(); i++) {
                // Folded from the CRCs the receivers recorded as pages arrived: no second pass over the memory, and
                // all but the last round's pages folded already (foldArrived).
                int here = receiving.get(i).crc32c();
                int there = complete.digests()[i];
                if (here != there) {
                    mismatches.add("ram block '" + blocks.get(i).name() + "': CRC32C " + hex32(here)
                            + " at the destination but " + hex32(there) + " at the source");
                }
            }
            checked = true;
            if (!mismatches.isEmpty()) {
                problem = "verification failed: " + String.join("; ", mismatches);
            }
        }
        resultSent = true;
        if (problem != null) {
            verdict(false);
            main().send(new Result(false, checked, problem).encode());
            fail(MigrationStatus.FAILED, problem, null, false);
            throw new Stopped();
        }
        verdict(checked);
        main().send(new Result(true, checked, "").encode());
        // The main reader reads on until the source closes (bounded), so closing here never resets unread data.
        drainFor(DRAIN_LIMIT);
    }

    /**
     * Folds the page CRCs recorded since the last call into each block's CRC ({@link IncrementalBlockDigest}); the
     * receivers may go on meanwhile. Nothing to do when not verifying.
     */
    private static void foldArrived(List<ReceivingBlock> receiving) {
        for (ReceivingBlock block : receiving) {
            if (block.digest() != null) {
                block.digest().foldChanges();
            }
        }
    }

    private void checkStopping() throws Stopped {
        if (stopping()) {
            throw new Stopped();
        }
    }

    /** Waits until every channel has read the SYNC that ends {@code round}, then lets them go on or finish. */
    private void awaitRound(RoundBarrier rounds, int round, boolean last)
            throws InterruptedException, Stopped, IOException {
        awaitedSince = System.nanoTime();
        awaitedLast = last;
        awaitedRound = round;
        if (!rounds.awaitAll(round, this::stopping)) {
            throw new Stopped();
        }
        awaitedRound = 0;
        roundEnded();
        rounds.release(round, last);
        if (!last) {
            // The source waits for this before its next dirty sync (see RoundReceived).
            main().send(new RoundReceived(round).encode());
        }
    }

    @Override
    String stalled(long now) {
        int round = awaitedRound;
        RoundBarrier rounds = barrier;
        if (round == 0 || rounds == null) {
            return null;
        }
        long since = awaitedSince;
        long limit = params().progressTimeout().toNanos();
        for (MultifdReceiver receiver : receivers) {
            long progress = receiver.progressNanos();
            long quietSince = progress - since > 0 ? progress : since;
            if (rounds.reached(receiver.id()) < round && now - quietSince > limit) {
                return "multifd channel " + receiver.id() + ": the source ended round " + round + " ("
                        + (awaitedLast ? "COMPLETE" : "ROUND_END") + " on the main channel), so it sent this channel's"
                        + " SYNC, but the SYNC did not arrive and nothing else came for "
                        + format(params().progressTimeout());
            }
        }
        return null;
    }

    /**
     * Reads the source's frames until the source closes the main channel after RESULT: heartbeats (the liveness
     * rule holds to the end), ROUND_END and COMPLETE (checked against each other, then handed to the control
     * thread), ERROR and CANCEL.
     */
    private void readMain() {
        readFrames(new RoundFrames(), () -> resultSent,
                () -> "the source closed the main channel before the migration ended");
    }

    /**
     * ROUND_END and COMPLETE, as the main channel's reader sees them: checked against each other (rounds in
     * order, COMPLETE once and last), then handed to the control thread.
     */
    private final class RoundFrames implements FrameHandler {
        private int roundsEnded;
        private boolean completed;

        @Override
        public boolean handle(Frame frame) throws ProtocolException {
            switch (frame.type()) {
                case ROUND_END -> {
                    if (completed) {
                        throw new ProtocolException("main channel: ROUND_END after COMPLETE");
                    }
                    RoundEnd end = RoundEnd.decode(frame);
                    end.checkNext(roundsEnded + 1);
                    roundsEnded = end.round();
                    roundEnds.add(end);
                }
                case COMPLETE -> {
                    if (completed) {
                        throw new ProtocolException("main channel: a second COMPLETE");
                    }
                    Complete complete = Complete.decode(frame, blocks.size());
                    complete.checkRounds(roundsEnded);
                    completed = true;
                    roundEnds.add(complete);
                }
                default -> throw unexpected(frame);
            }
            return true;
        }
    }

    /** Accepts connections until the migration's channels are complete; each is identified on its own thread. */
    private void acceptConnections() {
        int accepted = 0;
        while (!stopping() && ready.getCount() > 0) {
            IOChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                if (!stopping() && ready.getCount() > 0) {
                    fail(MigrationStatus.FAILED, "accepting a connection on " + listener.localAddress() + " failed: "
                            + e.getMessage(), e, true);
                }
                return;
            }
            register(channel);
            if (!strangers.admit(channel, System.nanoTime())) {
                closeStranger(channel);
                continue;
            }
            accepted++;
            startShortWorker("identify-" + accepted, () -> identify(channel));
        }
    }

    /** Finds out what an accepted connection is; drops it if it is not the migration's. */
    private void identify(IOChannel accepted) {
        String from = address(accepted);
        IOChannel channel = accepted;
        try {
            if (params().tls() != null) {
                channel = secure(accepted, from);
            }
            identifyOrReject(channel, from);
        } catch (Stranger e) {
            if (strangers.drop(channel, e.getMessage())) {
                LOG.log(e.warn && !stopping() ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                        "dropped a connection: " + e.getMessage());
            }
            closeStranger(channel);
        } catch (ProtocolException | MigrationException e) {
            fail(MigrationStatus.FAILED, e.getMessage(), e, true);
        } catch (IOException e) {
            if (!stopping()) {
                fail(MigrationStatus.FAILED, "main channel from " + from + ": " + e.getMessage(), e, true);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            fail(MigrationStatus.FAILED, "identifying a connection from " + from + ": internal error: " + e, e, true);
        }
    }

    /**
     * Runs the TLS handshake on an accepted connection before it may say anything; the setup timeout bounds it
     * too. A peer that fails it is a stranger, refused with a warning that says why.
     */
    private IOChannel secure(IOChannel accepted, String from) throws Stranger {
        TlsParameters tls = params().tls();
        TlsChannel channel;
        try {
            channel = TlsChannel.server(accepted, params().setupTimeout().compareTo(tls.handshakeTimeout()) < 0
                    ? tls.withHandshakeTimeout(params().setupTimeout()) : tls);
        } catch (IOException e) {
            String why = "refused a connection from " + from + ": " + e.getMessage();
            if (strangers.contains(accepted) && !stopping()) {
                LOG.log(System.Logger.Level.WARNING, why);
            }
            throw new Stranger(why);
        }
        register(channel);
        unregister(accepted);
        if (!strangers.replace(accepted, channel)) {
            throw new Stranger("a connection from " + from + " completed its TLS handshake too late");
        }
        tlsSession(channel.session());
        return channel;
    }

    private static String address(IOChannel channel) {
        try {
            return String.valueOf(channel.remoteAddress());
        } catch (RuntimeException e) {
            return "an unknown address";
        }
    }

    private void closeStranger(IOChannel channel) {
        unregister(channel);
        try {
            channel.close();
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing a dropped connection failed", e);
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
        armSetupDeadline();
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
        mainChannelReady(candidate);
        Hello received = Hello.decode(frame);
        plan(openBlocks(received), received.channels());
        synchronized (this) {
            dataChannels = new IOChannel[received.channels()];
            hello = received;
            // Multifd channels that arrived first wait for this.
            notifyAll();
            checkReady();
        }
        // Read the source's frames from now on: an ERROR or CANCEL while the multifd channels connect explains
        // itself instead of ending as a setup timeout.
        mainReaderStarted();
        startWorker("main-reader", this::readMain);
    }

    private void adoptMultifd(IOChannel channel, InitPacket init)
            throws Stranger, ProtocolException, InterruptedException {
        synchronized (this) {
            // Before HELLO nobody knows which migration this channel belongs to: it waits, still unidentified
            // (counted against the bound and its own timeout).
            while (hello == null) {
                if (stopping() || !strangers.contains(channel)) {
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
            init.checkChannel(hello.channels());
            int id = init.channel();
            if (dataChannels[id] != null) {
                throw new ProtocolException("multifd: received channel id " + id + " twice (already set up)");
            }
            dataChannels[id] = channel;
            channelCounters().get(id).attach(channel, false);
            channelCounters().get(id).add(InitPacket.SIZE, 0);
            counters.multifdBytes.add(InitPacket.SIZE);
            connected++;
            checkReady();
        }
    }

    /** Called with the monitor held. */
    private void checkReady() {
        if (hello != null && connected == hello.channels()) {
            ready.countDown();
        }
    }

    @Override
    void expire(long now) {
        for (IOChannel channel : strangers.expire(now, "a connection did not identify itself within "
                + format(params().setupTimeout()))) {
            // Its identifying thread wakes, finds it dropped, and closes it.
            shutdownQuietly(channel);
        }
    }

    @Override
    long unidentifiedConnections() {
        return strangers.dropped();
    }

    /** Asks the provider for every announced block; returns the sum of their sizes. */
    private long openBlocks(Hello received) throws MigrationException {
        long sum = 0;
        for (Hello.BlockInfo info : received.blocks()) {
            RamBlock block;
            try {
                block = provider.blockFor(info.name(), info.size());
            } catch (IOException | RuntimeException e) {
                throw new MigrationException(e.getMessage() != null ? e.getMessage()
                        : "the ram block provider failed for '" + info.name() + "': " + e, e);
            }
            if (block == null) {
                throw new MigrationException("the ram block provider returned no block for '" + info.name() + "'");
            }
            if (block.size() != info.size()) {
                throw new MigrationException("ram block '" + info.name() + "' has size " + block.size()
                        + " at the destination but " + info.size() + " at the source");
            }
            if (block.memory().isReadOnly()) {
                throw new MigrationException("ram block '" + info.name() + "' is read-only at the destination");
            }
            blocks.add(block);
            sum += info.size();
        }
        return sum;
    }

    private void closeListener() {
        try {
            listener.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the listener failed", e);
        }
    }

    @Override
    void closeResources() {
        closeListener();
    }

    @Override
    void kickResources() {
        closeListener();
    }

    @Override
    void wakeWaiters() {
        RoundBarrier current = barrier;
        if (current != null) {
            current.wakeAll();
        }
        synchronized (this) {
            notifyAll();
        }
    }

    /**
     * Before a source said HELLO, there is no peer to tell, and the connections refused so far (a TLS peer
     * refused, say) are what the user needs to know: their count and the last reason.
     */
    @Override
    String cancelDetail() {
        return hello == null ? strangers.summary() : "";
    }

    @Override
    String setupTimeoutMessage() {
        Hello current = hello;
        if (current == null) {
            return "the main channel did not send its HELLO within " + format(params().setupTimeout())
                    + strangers.summary();
        }
        return "multifd: only " + connected + " of " + current.channels() + " channels connected within "
                + format(params().setupTimeout()) + strangers.summary();
    }

    @Override
    public void alive() {
        touch();
    }

    @Override
    long mainBytes(MainChannel channel) {
        return channel.bytesRead();
    }

    @Override
    ZeroCopyStats zeroCopyStats(List<ChannelStats> perChannel) {
        return new ZeroCopyStats(params().zeroCopy(), listener.providerName(), false, 0, 0, 0, 0,
                "zero-copy is a send-side feature; the destination receives by reading");
    }

    private static String hex32(int value) {
        return String.format("0x%08x", value);
    }
}
