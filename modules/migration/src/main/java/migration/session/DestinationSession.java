package migration.session;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.ChannelProviders;
import io.channel.IOChannel;
import io.channel.memory.PageMemory;
import io.channel.spi.ChannelProvider;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Predicate;
import migration.ChannelStats;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationProtocol;
import migration.MigrationStats;
import migration.MigrationStatus;
import migration.RamBlock;
import migration.RamBlockProvider;
import migration.ZeroCopyStats;
import migration.multifd.ChannelCounters;
import migration.multifd.MultifdReceiver;
import migration.multifd.ReceiverHost;
import migration.multifd.ReceivingBlock;
import migration.multifd.RoundBarrier;
import migration.multifd.TransferCounters;
import migration.protocol.Complete;
import migration.protocol.Frame;
import migration.protocol.FrameType;
import migration.protocol.Hello;
import migration.protocol.MainChannel;
import migration.protocol.ProtocolException;
import migration.protocol.Result;
import migration.protocol.Wire;

/**
 * The destination side of a migration: accepts the main channel and the multifd channels in any order,
 * validates the handshake and every init packet, receives pages on one platform thread per channel
 * ({@code migration-destination-multifd-N}), meets the channels at each round's end, and checks the
 * source's digests before answering with the verdict.
 */
public final class DestinationSession extends Session implements ReceiverHost {

    /** A multifd channel that identified itself before the main channel arrived. */
    private record Init(IOChannel channel, UUID migrationId, int id) {
    }

    private final ChannelListener listener;
    private final RamBlockProvider provider;
    private final Predicate<RamBlock> knownZero;
    private final boolean prefault;
    private final TransferCounters counters = new TransferCounters();
    private final List<RamBlock> blocks = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Init> early = new ArrayList<>();
    private volatile List<ChannelCounters> channelCounters = List.of();
    private volatile Hello hello;
    private volatile int connected;
    private volatile int earlyCount;
    private volatile long total;
    private volatile boolean verified;
    private IOChannel[] dataChannels;
    private RoundBarrier barrier;

    private DestinationSession(ChannelListener listener, RamBlockProvider provider, Predicate<RamBlock> knownZero,
                               boolean prefault, MigrationParameters params) {
        super("destination", "source", params);
        this.listener = listener;
        this.provider = provider;
        this.knownZero = knownZero;
        this.prefault = prefault;
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
        accept();
        closeListener();
        main.send(Frame.empty(FrameType.ACCEPT));
        setupDoneNanos = System.nanoTime();
        status = MigrationStatus.ACTIVE;
        touch();
        heartbeats = true;
        silenceCheck = true;

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
        barrier = new RoundBarrier(dataChannels.length);
        List<MultifdReceiver> receivers = new ArrayList<>();
        for (int i = 0; i < dataChannels.length; i++) {
            MultifdReceiver receiver = new MultifdReceiver(i, dataChannels[i], receiving, barrier, counters,
                    channelCounters.get(i), this);
            receivers.add(receiver);
            startWorker("multifd-" + i, receiver);
        }
        Complete complete;
        mainReaderStarted = true;
        try {
            complete = readUntilComplete();
        } finally {
            mainReaderEnded.countDown();
        }
        // Busy from here on: the main channel is not read, so its silence means nothing.
        silenceCheck = false;
        if (!barrier.awaitAll(complete.rounds(), this::stopping)) {
            throw new Stopped();
        }
        counters.dirtySyncCount.incrementAndGet();
        barrier.release(complete.rounds(), true);
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
        heartbeats = false;
        if (problem != null) {
            main.send(new Result(false, checked, problem).encode());
            fail(MigrationStatus.FAILED, problem, null, false);
            throw new Stopped();
        }
        verified = checked;
        main.send(new Result(true, checked, "").encode());
        drainMain();
    }

    /** Reads main channel frames until COMPLETE. */
    private Complete readUntilComplete() throws IOException, InterruptedException, Stopped {
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
                    int round = frame.buffer().getInt();
                    if (!barrier.awaitAll(round, this::stopping)) {
                        throw new Stopped();
                    }
                    counters.dirtySyncCount.incrementAndGet();
                    barrier.release(round, false);
                }
                case COMPLETE -> {
                    return Complete.decode(frame, blocks.size());
                }
                case ERROR -> {
                    fail(MigrationStatus.FAILED, "the source failed: " + frame.text(), null, false);
                    throw new Stopped();
                }
                case CANCEL -> {
                    String text = frame.text();
                    fail(MigrationStatus.CANCELLED, text.isEmpty() ? "cancelled by the source"
                            : text.startsWith("cancelled by the source") ? text : "cancelled by the source: " + text,
                            null, false);
                    throw new Stopped();
                }
                default -> throw new ProtocolException("main channel: unexpected " + frame.type()
                        + " frame from the source");
            }
        }
    }

    /** After RESULT: read until the source closes (bounded), so closing here never resets unread data. */
    private void drainMain() {
        drainDeadlineNanos = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        try {
            while (main.read("the source") != null) {
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
            if (setupDeadlineNanos == 0) {
                // The setup timeout runs from the first connection: a destination may wait long for its source.
                setupDeadlineNanos = System.nanoTime() + params.setupTimeout().toNanos();
            }
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
                if (main != null) {
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
                main = candidate;
                Hello received = Hello.decode(frame);
                openBlocks(received);
                dataChannels = new IOChannel[received.channels()];
                List<ChannelCounters> list = new ArrayList<>();
                for (int i = 0; i < received.channels(); i++) {
                    list.add(new ChannelCounters(i));
                }
                channelCounters = List.copyOf(list);
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
                MemorySegment rest = arena.allocate(Wire.INIT_SIZE - Wire.PREAMBLE_SIZE);
                Wire.readFully(channel, rest, "the multifd init packet from " + from);
                UUID id = new UUID(rest.get(Wire.LONG, 0), rest.get(Wire.LONG, 8));
                int channelId = rest.get(Wire.INT, 16);
                int reserved = rest.get(Wire.INT, 20);
                if (reserved != 0) {
                    throw new ProtocolException("multifd: init packet of channel " + Integer.toUnsignedString(channelId)
                            + " has reserved field " + Wire.hex(reserved & 0xffffffffL) + ", expected 0");
                }
                Init init = new Init(channel, id, channelId);
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
        if (!init.migrationId().equals(current.migrationId())) {
            throw new ProtocolException("multifd: received uuid '" + init.migrationId() + "' and expected uuid '"
                    + current.migrationId() + "' for channel " + Integer.toUnsignedString(init.id()));
        }
        if (init.id() < 0 || init.id() >= current.channels()) {
            throw new ProtocolException("multifd: received channel id " + Integer.toUnsignedString(init.id())
                    + " is greater than number of channels " + current.channels());
        }
        if (dataChannels[init.id()] != null) {
            throw new ProtocolException("multifd: received channel id " + init.id() + " twice (already set up)");
        }
        dataChannels[init.id()] = init.channel();
        channelCounters.get(init.id()).attach(init.channel(), false);
        channelCounters.get(init.id()).add(Wire.INIT_SIZE, 0);
        counters.multifdBytes.add(Wire.INIT_SIZE);
        connected++;
    }

    private void openBlocks(Hello received) throws MigrationException {
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
        total = sum;
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
            return "the main channel did not connect within " + format(params.setupTimeout()) + " ("
                    + earlyCount + " multifd channel" + (earlyCount == 1 ? "" : "s") + " connected)";
        }
        return "multifd: only " + connected + " of " + current.channels() + " channels connected within "
                + format(params.setupTimeout());
    }

    @Override
    public void alive() {
        touch();
    }

    @Override
    public MigrationStats stats() {
        List<ChannelStats> channels = channelCounters.stream().map(ChannelCounters::snapshot).toList();
        MainChannel current = main;
        long mainBytes = current == null ? 0 : current.bytesRead();
        long multifd = counters.multifdBytes.sum();
        long transferred = mainBytes + multifd;
        long all = total;
        return new MigrationStats(status, totalTimeMillis(), setupTimeMillis(), transferred, all,
                Math.max(0, all - counters.processedBytes.sum()), mbps(transferred), counters.normalPages.sum(),
                counters.duplicatePages.sum(), counters.normalBytes.sum(), counters.dirtySyncCount.get(),
                counters.dirtySyncMissedZeroCopy.get(), multifd, MigrationProtocol.PAGE_SIZE, channels,
                new ZeroCopyStats(params.zeroCopy(), listener.providerName(), false, 0, 0, 0, 0,
                        "zero-copy is a send-side feature; the destination receives by reading"),
                errorDescription(), verified);
    }

    private static String hex32(int value) {
        return String.format("0x%08x", value);
    }
}
