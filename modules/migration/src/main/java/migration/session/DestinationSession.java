package migration.session;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.ChannelProviders;
import io.channel.IOChannel;
import io.channel.PageMemory;
import io.channel.spi.ChannelProvider;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import migration.ChannelStats;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationProtocol;
import migration.MigrationStatus;
import migration.RamBlock;
import migration.RamBlockProvider;
import migration.ZeroCopyStats;
import migration.multifd.MultifdReceiver;
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
import migration.protocol.Wire;

/**
 * The destination side of a migration: accepts the main channel and the multifd channels in any order,
 * validates the handshake and every init packet, receives pages on one platform thread per channel
 * ({@code migration-destination-multifd-N}), meets the channels at each round's end, and checks the
 * source's digests before answering with the verdict.
 */
public final class DestinationSession extends Session implements ReceiverHost {

    /** How long the destination reads the main channel after RESULT, waiting for the source to close it. */
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(5);

    /** A multifd channel that identified itself before the main channel arrived. */
    private record Init(IOChannel channel, InitPacket packet) {
    }

    private final ChannelListener listener;
    private final RamBlockProvider provider;
    private final Predicate<RamBlock> knownZero;
    private final boolean prefault;
    private final TransferCounters counters;
    private final List<RamBlock> blocks = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Init> early = new ArrayList<>();
    private volatile Hello hello;
    private volatile int connected;
    private volatile int earlyCount;
    private IOChannel[] dataChannels;
    /** Set by the control thread, read by the threads that wake waiters: volatile. */
    private volatile RoundBarrier barrier;
    /** Rounds that ended with ROUND_END; only the control thread reads the main channel until COMPLETE. */
    private int roundsEnded;

    private DestinationSession(ChannelListener listener, RamBlockProvider provider, Predicate<RamBlock> knownZero,
                               boolean prefault, MigrationParameters params) {
        super("destination", "source", params);
        this.listener = listener;
        this.provider = provider;
        this.knownZero = knownZero;
        this.prefault = prefault;
        this.counters = counters();
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
        return listen(local, provider, knownZero, true, params, candidates);
    }

    /**
     * Like {@link #listen(InetSocketAddress, RamBlockProvider, Predicate, MigrationParameters, List)}, choosing
     * whether fresh blocks (those {@code knownZero} accepts) are populated ahead of the receivers
     * (see {@link Prefaulter}); the benchmark measures both.
     *
     * @param local      where to listen
     * @param provider   supplies the memory
     * @param knownZero  tells whether a block's memory is fresh, all zero and never touched
     * @param prefault   whether to populate fresh blocks ahead of the receivers
     * @param params     the parameters
     * @param candidates channel providers, or {@code null}
     * @return the running session
     * @throws MigrationException if no provider is usable or binding fails
     */
    public static DestinationSession listen(InetSocketAddress local, RamBlockProvider provider,
                                            Predicate<RamBlock> knownZero, boolean prefault,
                                            MigrationParameters params, List<ChannelProvider> candidates)
            throws MigrationException {
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
                chosen = ChannelProviders.select().chosen();
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
        DestinationSession session = new DestinationSession(listener, provider, knownZero, prefault, params);
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
        accept();
        closeListener();
        main().send(Frame.empty(FrameType.ACCEPT));
        setupDone();

        List<ReceivingBlock> receiving = new ArrayList<>();
        List<Boolean> fresh = new ArrayList<>();
        for (RamBlock block : blocks) {
            boolean zero = knownZero.test(block);
            receiving.add(ReceivingBlock.of(block.name(), block.memory(), zero, params.verify()));
            fresh.add(zero);
        }
        if (prefault && fresh.contains(true) && PageMemory.provider().allocatesUntouched()) {
            startWorker("prefault", new Prefaulter(blocks.stream().map(RamBlock::memory).toList(), fresh,
                    counters.processedBytes::sum, this::stopping));
        }
        RoundBarrier rounds = new RoundBarrier(dataChannels.length);
        barrier = rounds;
        List<MultifdReceiver> receivers = new ArrayList<>();
        for (int i = 0; i < dataChannels.length; i++) {
            MultifdReceiver receiver = new MultifdReceiver(i, dataChannels[i], receiving, rounds, counters,
                    channelCounters().get(i), this);
            receivers.add(receiver);
            startWorker("multifd-" + i, receiver);
        }
        Complete complete;
        mainReaderStarted();
        try {
            complete = readUntilComplete(rounds);
        } finally {
            mainReaderEnded();
        }
        if (!rounds.awaitAll(complete.rounds(), this::stopping)) {
            throw new Stopped();
        }
        roundEnded();
        rounds.release(complete.rounds(), true);
        long received = 0;
        for (MultifdReceiver receiver : receivers) {
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
                // Folded from the CRCs the receivers recorded as pages arrived: no second pass over the memory.
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
        if (problem != null) {
            verdict(false);
            main().send(new Result(false, checked, problem).encode());
            fail(MigrationStatus.FAILED, problem, null, false);
            throw new Stopped();
        }
        verdict(checked);
        main().send(new Result(true, checked, "").encode());
        drainMain();
    }

    /** Reads main channel frames until COMPLETE. */
    private Complete readUntilComplete(RoundBarrier rounds) throws IOException, InterruptedException, Stopped {
        MainChannel main = main();
        while (true) {
            Frame frame;
            try {
                frame = main.read("the source");
            } catch (ProtocolException e) {
                throw e;
            } catch (IOException e) {
                if (stopping()) {
                    throw new Stopped();
                }
                fail(MigrationStatus.FAILED, "main channel: the connection to the source failed: " + e.getMessage(),
                        e, false);
                throw new Stopped();
            }
            if (frame == null) {
                if (!stopping()) {
                    fail(MigrationStatus.FAILED, "the source closed the main channel before the migration ended",
                            null, false);
                }
                throw new Stopped();
            }
            touch();
            switch (frame.type()) {
                case HEARTBEAT -> {
                }
                case ROUND_END -> {
                    RoundEnd end = RoundEnd.decode(frame);
                    end.checkNext(roundsEnded + 1);
                    if (!rounds.awaitAll(end.round(), this::stopping)) {
                        throw new Stopped();
                    }
                    roundsEnded = end.round();
                    roundEnded();
                    rounds.release(end.round(), false);
                }
                case COMPLETE -> {
                    Complete complete = Complete.decode(frame, blocks.size());
                    complete.checkRounds(roundsEnded);
                    return complete;
                }
                case ERROR, CANCEL -> {
                    peerEnded(frame);
                    throw new Stopped();
                }
                default -> throw new ProtocolException("main channel: unexpected " + frame.type()
                        + " frame from the source");
            }
        }
    }

    /** After RESULT: read until the source closes (bounded), so closing here never resets unread data. */
    private void drainMain() {
        drainFor(DRAIN_LIMIT);
        try {
            while (main().read("the source") != null) {
                // Heartbeats sent before the source read RESULT.
            }
        } catch (IOException e) {
            // The source may reset the connection when it closes: the migration is complete either way.
        }
    }

    /** Accepts connections until the main channel and every multifd channel have identified themselves. */
    private void accept() throws IOException, MigrationException, Stopped {
        while (hello == null || connected < hello.channels()) {
            IOChannel channel;
            try {
                channel = listener.accept();
            } catch (IOException e) {
                if (stopping()) {
                    throw new Stopped();
                }
                throw new MigrationException("accepting a connection on " + listener.localAddress() + " failed: "
                        + e.getMessage(), e);
            }
            register(channel);
            // The setup timeout runs from the first connection: a destination may wait long for its source.
            armSetupDeadline();
            try {
                identify(channel);
            } catch (IOException e) {
                if (stopping()) {
                    throw new Stopped();
                }
                throw e;
            }
        }
    }

    private void identify(IOChannel channel) throws IOException, MigrationException {
        String from = String.valueOf(channel.remoteAddress());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment preamble = arena.allocate(Wire.PREAMBLE_SIZE);
            try {
                Wire.readFully(channel, preamble, "its first " + Wire.PREAMBLE_SIZE + " bytes");
            } catch (EOFException e) {
                throw new ProtocolException("a connection from " + from + " closed before identifying itself: "
                        + e.getMessage());
            }
            int magic = preamble.get(Wire.INT, 0);
            int version = preamble.get(Wire.INT, 4);
            if (magic == Wire.MAIN_MAGIC) {
                if (main() != null) {
                    throw new ProtocolException("a second main channel connected from " + from);
                }
                if (version != Wire.VERSION) {
                    throw new ProtocolException("main channel from " + from + ": received version " + version
                            + ", expected " + Wire.VERSION);
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
                dataChannels = new IOChannel[received.channels()];
                hello = received;
                for (Init init : early) {
                    adopt(init);
                }
                early.clear();
            } else if (magic == Wire.MULTIFD_MAGIC) {
                if (version != Wire.VERSION) {
                    throw new ProtocolException("multifd: received packet version " + version + " expected "
                            + Wire.VERSION + " (connection from " + from + ")");
                }
                MemorySegment packet = arena.allocate(InitPacket.SIZE);
                MemorySegment.copy(preamble, 0, packet, 0, Wire.PREAMBLE_SIZE);
                Wire.readFully(channel, packet.asSlice(Wire.PREAMBLE_SIZE), "the multifd init packet from " + from);
                Init init = new Init(channel, InitPacket.decode(packet, from));
                if (hello == null) {
                    if (early.size() >= MigrationProtocol.MAX_CHANNELS) {
                        throw new ProtocolException("multifd: more than " + MigrationProtocol.MAX_CHANNELS
                                + " channels connected before the main channel");
                    }
                    early.add(init);
                    earlyCount = early.size();
                } else {
                    adopt(init);
                }
            } else {
                throw new ProtocolException("a connection from " + from + " sent magic "
                        + Wire.hex(magic & 0xffffffffL) + ", which is neither the main channel's "
                        + Wire.hex(Wire.MAIN_MAGIC) + " nor a multifd channel's " + Wire.hex(Wire.MULTIFD_MAGIC));
            }
        }
    }

    private void adopt(Init init) throws ProtocolException {
        Hello current = hello;
        InitPacket packet = init.packet();
        String mismatch = packet.mismatch(current.migrationId());
        if (mismatch != null) {
            throw new ProtocolException(mismatch);
        }
        packet.checkChannel(current.channels());
        int id = packet.channel();
        if (dataChannels[id] != null) {
            throw new ProtocolException("multifd: received channel id " + id + " twice (already set up)");
        }
        dataChannels[id] = init.channel();
        channelCounters().get(id).attach(init.channel(), false);
        channelCounters().get(id).add(InitPacket.SIZE, 0);
        counters.multifdBytes.add(InitPacket.SIZE);
        connected++;
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
    }

    @Override
    String setupTimeoutMessage() {
        Hello current = hello;
        if (current == null) {
            return "the main channel did not connect within " + format(params().setupTimeout()) + " ("
                    + earlyCount + " multifd channel" + (earlyCount == 1 ? "" : "s") + " connected)";
        }
        return "multifd: only " + connected + " of " + current.channels() + " channels connected within "
                + format(params().setupTimeout());
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
