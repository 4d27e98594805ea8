package migration.session;

import io.channel.ChannelListener;
import io.channel.ChannelProviders;
import io.channel.Feature;
import io.channel.IOChannel;
import io.channel.ReceivedDescriptors;
import io.channel.TooManyDescriptorsException;
import io.channel.memory.HandoverMemory;
import io.channel.memory.MemoryProvider;
import io.channel.memory.PageMemory;
import io.channel.spi.ChannelProvider;
import io.channel.tls.TlsSessionInfo;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import migration.ChannelStats;
import migration.LiveStats;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationProtocol;
import migration.MigrationStatus;
import migration.Ownership;
import migration.RamBlock;
import migration.RamBlockProvider;
import migration.VerifiedBy;
import migration.VerifyMode;
import migration.ZeroCopyStats;
import migration.multifd.Crc32c;
import migration.multifd.IncrementalBlockDigest;
import migration.multifd.MultifdReceiver;
import migration.multifd.ReceiverHost;
import migration.multifd.ReceivingBlock;
import migration.multifd.RoundBarrier;
import migration.multifd.TransferCounters;
import migration.protocol.Complete;
import migration.protocol.Frame;
import migration.protocol.FrameType;
import migration.protocol.HandoverMessage;
import migration.protocol.Hello;
import migration.protocol.InitPacket;
import migration.protocol.MainChannel;
import migration.protocol.ProtocolException;
import migration.protocol.Result;
import migration.protocol.RoundEnd;
import migration.protocol.RoundReceived;

/**
 * The destination side of a migration: accepts the main channel and the multifd channels in any order
 * ({@link ConnectionSorter}), receives pages on one platform thread per channel
 * ({@code migration-destination-multifd-N}), meets the channels at each round's end, checks the source's
 * digests before answering with the verdict, and owns the memory only once the source's COMMIT arrives.
 *
 * <p>A main channel reader ({@code main-reader}) reads the source's frames from HELLO to the end, so the liveness
 * rule holds after COMPLETE too; it hands ROUND_END and COMPLETE to the control thread ({@link SourceEvent}),
 * which meets the channels at each round's end. Phases: {@link DestinationPhase}.
 *
 * <p>Why one class of this size: the destination's control flow (accept, receive rounds, verify, answer, wait for
 * COMMIT) and the main channel's frames that drive it check each other, and are read together; identifying
 * connections ({@link ConnectionSorter}) and opening the listener ({@link DestinationListener}) live apart.
 */
public final class DestinationSession extends Session implements ReceiverHost {

    /** How long the destination reads the main channel after COMMIT, waiting for the source to close it. */
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(5);

    /** What the main channel's reader hands the control thread, checked against each other already. */
    private sealed interface SourceEvent {
    }

    /**
     * A round other than the last ended at the source.
     *
     * @param frame the ROUND_END
     */
    private record RoundEnded(RoundEnd frame) implements SourceEvent {
    }

    /**
     * The last round ended: the source sent everything.
     *
     * @param frame the COMPLETE
     */
    private record Completed(Complete frame) implements SourceEvent {
    }

    private final ConnectionSorter sorter;
    private final RamBlockProvider provider;
    private final Predicate<RamBlock> knownZero;
    private final Function<RamBlock, FileChannel> files;
    private final boolean prefault;
    private final TransferCounters counters;
    private final List<RamBlock> blocks = new CopyOnWriteArrayList<>();
    /** Per block handed over, by index, the arena its provider gave for its mapping: put at HELLO, read later. */
    private final Map<Integer, Arena> handoverArenas = new ConcurrentHashMap<>();
    private final BlockingQueue<SourceEvent> events = new LinkedBlockingQueue<>();
    private final Phases<DestinationPhase> phases = new Phases<>("destination", DestinationPhase.LISTENING);
    private final CountDownLatch commitArrived = new CountDownLatch(1);
    /** The rounds received so far, for the live statistics. */
    private final List<LiveStats.Round> rounds = new CopyOnWriteArrayList<>();
    private volatile Hello hello;
    /** Set by the control thread, read by the threads that wake waiters: volatile. */
    private volatile RoundBarrier barrier;
    private volatile List<MultifdReceiver> receivers = List.of();
    /** The round the control thread waits for every channel to end, or 0; written after the two below. */
    private volatile int awaitedRound;
    private volatile long awaitedSince;
    private volatile boolean awaitedLast;
    /** Whether a RESULT that refuses the migration is being or has been sent. */
    private volatile boolean refusing;
    /** While the control thread reads a handed-over block's descriptor: since when, and for which; else null. */
    private volatile AwaitedHandover awaitedHandover;

    /**
     * The control thread waits on the handover channel (the progress rule bounds the wait, {@link #stalled}).
     *
     * @param since   {@link System#nanoTime()} when the read began
     * @param missing the names of the blocks whose descriptors have not arrived
     */
    private record AwaitedHandover(long since, List<String> missing) {
    }

    private DestinationSession(ChannelListener listener, RamBlockProvider provider, Predicate<RamBlock> knownZero,
                               Function<RamBlock, FileChannel> files, boolean prefault, MigrationParameters params) {
        super("destination", "source", params);
        this.provider = provider;
        this.knownZero = knownZero;
        this.files = files;
        this.prefault = prefault;
        this.counters = counters();
        this.sorter = new ConnectionSorter(new SorterHost(), listener);
    }

    /**
     * Binds the listening socket now and accepts in the background.
     *
     * @param local      where to listen: a host and port (port 0 picks a free port), or a Unix domain socket's
     *                   path, which must not exist
     * @param provider   supplies the memory for each announced block
     * @param knownZero  tells whether a block's memory is known to be all zero
     * @param params     the parameters
     * @param candidates channel providers to choose from, or {@code null} for those on the module path
     * @return the running session
     * @throws MigrationException if no provider is usable or binding fails
     */
    public static DestinationSession listen(SocketAddress local, RamBlockProvider provider,
                                            Predicate<RamBlock> knownZero, MigrationParameters params,
                                            List<ChannelProvider> candidates) throws MigrationException {
        return listen(local, provider, knownZero, block -> null, true, params, candidates);
    }

    /**
     * Like {@link #listen(SocketAddress, RamBlockProvider, Predicate, MigrationParameters, List)}, with blocks
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
    public static DestinationSession listen(SocketAddress local, RamBlockProvider provider,
                                            Predicate<RamBlock> knownZero, Function<RamBlock, FileChannel> files,
                                            MigrationParameters params, List<ChannelProvider> candidates)
            throws MigrationException {
        return listen(local, provider, knownZero, files, true, params, candidates);
    }

    /**
     * Like {@link #listen(SocketAddress, RamBlockProvider, Predicate, Function, MigrationParameters, List)},
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
    public static DestinationSession listen(SocketAddress local, RamBlockProvider provider,
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
            } else if (local instanceof UnixDomainSocketAddress) {
                // The best provider: the Linux provider's own Unix domain sockets receive handed-over memory
                // (descriptors), which the portable provider's cannot.
                chosen = ChannelProviders.select().chosen();
            } else {
                // A destination only receives: zero-copy, a way of sending, is of no use here.
                chosen = ChannelProviders.selectForCopying().chosen();
            }
        } catch (RuntimeException e) {
            throw new MigrationException("no usable channel provider: " + e.getMessage(), e);
        }
        ChannelListener listener = DestinationListener.open(chosen, local, params.tls() != null, LOG);
        try {
            DestinationSession session = new DestinationSession(listener, provider, knownZero, files, prefault,
                    params);
            session.startThreads();
            return session;
        } catch (RuntimeException | Error e) {
            DestinationListener.closeAfter(listener, e);
            throw e;
        }
    }

    /** {@return the bound address; {@code null} for a Unix domain socket (see {@link #localSocketAddress()})} */
    public InetSocketAddress localAddress() {
        return sorter.listener().localAddress();
    }

    /** {@return the bound address, of any kind} */
    public SocketAddress localSocketAddress() {
        return sorter.listener().localSocketAddress();
    }

    /** {@return the blocks received into so far, in the source's order} */
    public List<RamBlock> blocks() {
        return List.copyOf(blocks);
    }

    @Override
    void runSession() throws Exception {
        MigrationParameters params = params();
        startWorker("acceptor", sorter::acceptConnections);
        List<IOChannel> data = sorter.awaitChannels();
        main().send(Frame.empty(FrameType.ACCEPT));
        phases.moveTo(DestinationPhase.RECEIVING);
        setupDone();

        List<ReceivingBlock> receiving = new ArrayList<>();
        List<Boolean> populate = new ArrayList<>();
        for (RamBlock block : blocks) {
            boolean zero = knownZero.test(block);
            FileChannel file = files.apply(block);
            receiving.add(ReceivingBlock.of(block.name(), block.memory(), zero, params.digestsPages(), file));
            // A writable file mapping is written page by page, zero pages too where it is not known zero:
            // populating it ahead allocates nothing the receivers would not, and spares them a fault per page
            // inside recvmsg's copy. A block written through its file is never faulted in.
            populate.add(file == null && (zero || block.memory().isMapped() && !block.memory().isReadOnly()));
        }
        if (prefault && populate.contains(true) && PageMemory.provider().allocatesUntouched()) {
            startWorker("prefault", new Prefaulter(blocks.stream().map(RamBlock::memory).toList(), populate,
                    counters.processedBytes::sum, this::stopping));
        }
        RoundBarrier roundBarrier = new RoundBarrier(data.size());
        barrier = roundBarrier;
        List<MultifdReceiver> list = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            list.add(new MultifdReceiver(i, data.get(i), receiving, roundBarrier, counters, channelCounters().get(i),
                    this));
        }
        receivers = List.copyOf(list);
        for (MultifdReceiver receiver : list) {
            startWorker("multifd-" + receiver.id(), receiver);
        }
        Complete complete = null;
        long roundStart = System.nanoTime();
        while (complete == null) {
            SourceEvent next = events.poll(100, TimeUnit.MILLISECONDS);
            checkStopping();
            switch (next) {
                case Completed last -> {
                    awaitRound(roundBarrier, last.frame().rounds(), true, roundStart);
                    complete = last.frame();
                }
                case RoundEnded end -> {
                    awaitRound(roundBarrier, end.frame().round(), false, roundStart);
                    roundStart = System.nanoTime();
                    foldArrived(receiving);
                }
                // Between frames, while the pages arrive: fold what arrived, so that after COMPLETE only the
                // last round's pages are left to fold (inside the source's downtime).
                case null -> foldArrived(receiving);
            }
        }
        phases.moveTo(DestinationPhase.VERIFYING);
        if (!hello.handedOver().isEmpty()) {
            receiveHandedOver(sorter.handoverChannel());
        }
        Verdict verdict = check(complete, receiving);
        if (verdict.problem() != null) {
            verdict(VerifiedBy.NONE);
            // The source may close as soon as it reads the refusal: that close must not overtake this reason.
            refusing = true;
            main().send(new Result(false, verdict.checked(), verdict.problem()).encode());
            fail(new Failure.Refused(verdict.problem()));
            throw new Stopped();
        }
        verdict(verdict.by());
        phases.moveTo(DestinationPhase.RESULT_SENT);
        main().send(new Result(true, verdict.checked(), "").encode());
        // Twice the source's wait for RESULT: a source that gives up says so (ERROR) before this side stops waiting.
        await(commitArrived, params.switchoverTimeout().multipliedBy(2), "COMMIT after this side's RESULT",
                "ownership is unknown: this memory is complete" + (verdict.checked() ? " and verified" : "")
                        + ", and the source alone knows whether it committed; use it only if the source reports"
                        + " that the destination owns the memory");
        // The main reader reads on until the source closes (bounded), so closing here never resets unread data.
        drainFor(DRAIN_LIMIT);
    }

    /**
     * What the destination answers COMPLETE with.
     *
     * @param problem why it refuses, or {@code null}
     * @param by      what proved the memory intact, or was compared and failed; {@link VerifiedBy#NONE} if nothing
     */
    private record Verdict(String problem, VerifiedBy by) {

        /** {@return whether something was compared or proven (RESULT's verified field)} */
        boolean checked() {
            return by != VerifiedBy.NONE;
        }
    }

    /** Checks the packet count and, when asked for, the digests against COMPLETE. */
    private Verdict check(Complete complete, List<ReceivingBlock> receiving) {
        long received = 0;
        for (MultifdReceiver receiver : receivers) {
            received += receiver.dataPackets();
        }
        if (received != complete.dataPackets()) {
            return new Verdict("the source sent " + complete.dataPackets() + " data packets, but the destination"
                    + " received " + received, VerifiedBy.NONE);
        }
        if (!params().verify()) {
            return new Verdict(null, VerifiedBy.NONE);
        }
        if (params().verification() == VerifyMode.FINAL && complete.digests() != null && !complete.ofMemory()) {
            return new Verdict("verification failed: this destination checks the final memory (verify final), but"
                    + " the source sent digests of the pages as sent; run both sides with verify final",
                    VerifiedBy.NONE);
        }
        if (complete.digests() == null || !complete.ofMemory() && !params().digestsPages()) {
            // Without digests, verify on rests on TLS where there is TLS (PROTOCOL.md §2.4): every channel's every
            // record was authenticated before its bytes were used, and the packet count matched. Page digests of a
            // source that took them anyway prove nothing more, and this side took none to compare them with.
            return new Verdict(null, params().tls() != null && params().verification() == VerifyMode.ON
                    ? VerifiedBy.TLS : VerifiedBy.NONE);
        }
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            if (hello.handedOver().contains(i)) {
                // Not digested on either side: this side maps the source's very pages.
                continue;
            }
            // Digests of the pages as sent are compared with those folded as the pages arrived (all but the last
            // round's folded already, foldArrived); digests of the source's final memory with this memory itself.
            int here = complete.ofMemory() ? Crc32c.ofMemory(blocks.get(i).memory()) : receiving.get(i).crc32c();
            int there = complete.digests()[i];
            if (here != there) {
                mismatches.add("ram block '" + blocks.get(i).name() + "': CRC32C " + hex32(here)
                        + " at the destination but " + hex32(there) + " at the source"
                        + (complete.ofMemory() ? " (of the final memory)" : ""));
            }
        }
        VerifiedBy by = complete.ofMemory() ? VerifiedBy.FINAL_MEMORY : VerifiedBy.PAGE_DIGESTS;
        return mismatches.isEmpty() ? new Verdict(null, by)
                : new Verdict("verification failed: " + String.join("; ", mismatches), by);
    }

    /**
     * Takes the blocks the source hands over: one message with one descriptor each on the handover channel, after
     * the last round. Each descriptor is checked before it is mapped ({@link MemoryProvider#mapHandedOver}: a
     * regular file in memory, of the announced size, sealed as announced) and then mapped in place of the block's
     * placeholder; a refused one is closed and fails the migration, and the source keeps its memory. Each read is
     * bounded by the progress timeout ({@link #stalled}): the watchdog fails the migration and shuts the channels
     * down, which ends the read.
     */
    private void receiveHandedOver(IOChannel channel) throws IOException, MigrationException, Stopped {
        Hello current = hello;
        MemoryProvider memory = PageMemory.provider();
        Set<Integer> taken = new HashSet<>();
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment bytes = scratch.allocate(HandoverMessage.SIZE);
            for (int n = 0; n < current.handedOver().size(); n++) {
                checkStopping();
                awaitedHandover = new AwaitedHandover(System.nanoTime(), current.handedOver().stream()
                        .filter(index -> !taken.contains(index)).map(index -> current.blocks().get(index).name())
                        .toList());
                try (ReceivedDescriptors descriptors = readHandoverMessage(channel, bytes)) {
                    awaitedHandover = null;
                    HandoverMessage message = HandoverMessage.decode(bytes, current, descriptors.count());
                    Hello.BlockInfo info = current.blocks().get(message.block());
                    if (!taken.add(message.block())) {
                        throw new ProtocolException("handover channel: ram block '" + info.name()
                                + "' handed over twice");
                    }
                    HandoverMemory mapped;
                    try {
                        mapped = memory.mapHandedOver(descriptors.take(0), info.size(), message.fileSize(),
                                message.sealed(), handoverArenas.get(message.block()));
                    } catch (IOException e) {
                        throw new MigrationException("ram block '" + info.name() + "' was handed over, but its"
                                + " descriptor is refused: " + e.getMessage(), e);
                    }
                    blocks.set(message.block(), RamBlock.of(info.name(), mapped));
                }
            }
        } finally {
            awaitedHandover = null;
        }
    }

    /** Reads one handover message; more descriptors than its one are the source's breach of the protocol. */
    private static ReceivedDescriptors readHandoverMessage(IOChannel channel, MemorySegment bytes)
            throws IOException {
        try {
            return channel.readWithDescriptors(bytes, 1);
        } catch (TooManyDescriptorsException e) {
            throw new ProtocolException("handover channel: " + e.getMessage());
        }
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

    /** Waits until every channel has read the SYNC that ends {@code round}, then lets them go on or finish. */
    private void awaitRound(RoundBarrier roundBarrier, int round, boolean last, long startNanos)
            throws InterruptedException, Stopped, IOException {
        awaitedSince = System.nanoTime();
        awaitedLast = last;
        awaitedRound = round;
        if (!roundBarrier.awaitAll(round, this::stopping)) {
            throw new Stopped();
        }
        awaitedRound = 0;
        roundEnded();
        recordRound(round, startNanos);
        roundBarrier.release(round, last);
        if (!last) {
            // The source waits for this before its next dirty sync (see RoundReceived).
            main().send(new RoundReceived(round).encode());
        }
    }

    /** Records a round's pages and bandwidth for the live statistics, as the source records the round it sent. */
    private void recordRound(int round, long startNanos) {
        long pages = counters.normalPages.sum() + counters.duplicatePages.sum();
        long before = rounds.stream().mapToLong(LiveStats.Round::pagesSent).sum();
        long nanos = Math.max(1, System.nanoTime() - startNanos);
        long bytes = (pages - before) * MigrationProtocol.PAGE_SIZE;
        rounds.add(new LiveStats.Round(round, pages - before, 0, 0, (long) (bytes * 1e9 / nanos)));
    }

    @Override
    String stalled(long now) {
        long limit = params().progressTimeout().toNanos();
        AwaitedHandover handover = awaitedHandover;
        if (handover != null && now - handover.since() > limit) {
            // The source sends every descriptor before COMPLETE (PROTOCOL.md §3.4), and heartbeats keep the
            // liveness rule content meanwhile: without this bound a message that never comes blocks for ever.
            List<String> missing = handover.missing();
            return "handover channel: the source sent COMPLETE, but " + (missing.size() == 1
                    ? "ram block '" + missing.getFirst() + "''s descriptor did not arrive"
                    : "the descriptors of ram blocks '" + String.join("', '", missing) + "' did not arrive")
                    + " within " + format(params().progressTimeout());
        }
        int round = awaitedRound;
        RoundBarrier roundBarrier = barrier;
        if (round == 0 || roundBarrier == null) {
            return null;
        }
        long since = awaitedSince;
        for (MultifdReceiver receiver : receivers) {
            long progress = receiver.progressNanos();
            long quietSince = progress - since > 0 ? progress : since;
            if (roundBarrier.reached(receiver.id()) < round && now - quietSince > limit) {
                return "multifd channel " + receiver.id() + ": the source ended round " + round + " ("
                        + (awaitedLast ? "COMPLETE" : "ROUND_END") + " on the main channel), so it sent this channel's"
                        + " SYNC, but the SYNC did not arrive and nothing else came for "
                        + format(params().progressTimeout());
            }
        }
        return null;
    }

    /**
     * Reads the source's frames until the source closes the main channel after COMMIT: heartbeats (the liveness
     * rule holds until the verdict), ROUND_END and COMPLETE (checked against each other, then handed to the
     * control thread), COMMIT, ERROR and CANCEL.
     */
    private void readMain() {
        readFrames(new SourceFrames(), new MainChannelReader.End() {
            @Override
            public boolean peerMayClose() {
                return refusing || phases.current() == DestinationPhase.COMMITTED;
            }

            @Override
            public Failure closedEarly() {
                if (phases.current() == DestinationPhase.RESULT_SENT) {
                    // A close is no proof that the source did not commit: a proxy or tunnel on the way may have
                    // taken the COMMIT and closed. Only the source's own ERROR or CANCEL is.
                    return new Failure.Transport("main channel: the source closed it after this side's RESULT,"
                            + " before COMMIT arrived: ownership is unknown; use this memory only if the source"
                            + " reports that the destination owns it", null);
                }
                return new Failure.ByPeer("the source closed the main channel before the migration ended");
            }

            @Override
            public Failure broke(IOException error) {
                if (phases.current() != DestinationPhase.RESULT_SENT) {
                    return null;
                }
                return new Failure.Transport("main channel: the connection to the source failed after this side's"
                        + " RESULT, before COMMIT arrived (" + error.getMessage() + "): ownership is unknown, since a"
                        + " COMMIT may have been lost with the connection; use this memory only if the source"
                        + " reports that the destination owns it", error);
            }
        });
    }

    /**
     * ROUND_END, COMPLETE and COMMIT, as the main channel's reader sees them: checked against each other (rounds
     * in order, COMPLETE once and last, COMMIT only after a RESULT that said yes).
     */
    private final class SourceFrames implements MainChannelReader.FrameHandler {
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
                    events.add(new RoundEnded(end));
                }
                case COMPLETE -> {
                    if (completed) {
                        throw new ProtocolException("main channel: a second COMPLETE");
                    }
                    Complete complete = Complete.decode(frame, blocks.size());
                    complete.checkRounds(roundsEnded);
                    completed = true;
                    events.add(new Completed(complete));
                }
                case COMMIT -> {
                    if (phases.current() != DestinationPhase.RESULT_SENT) {
                        throw new ProtocolException("main channel: COMMIT from the source before this side's RESULT"
                                + " said yes (phase " + phases.current() + ")");
                    }
                    if (frame.body().length != 0) {
                        throw new ProtocolException("main channel, COMMIT: " + frame.body().length
                                + " bytes of body, expected none");
                    }
                    // The source has committed and will not resume: this side owns the memory whatever else
                    // happens now, so no failure may overtake the completion.
                    if (!claimCompletion()) {
                        LOG.log(System.Logger.Level.WARNING, "COMMIT arrived while the destination was ending ("
                                + ending().message() + "): the source has handed the memory over, so this side"
                                + " owns it");
                    }
                    switchedOver();
                    phases.moveTo(DestinationPhase.COMMITTED);
                    commitArrived.countDown();
                }
                default -> throw unexpected(frame);
            }
            return true;
        }
    }

    /** The destination as its connection sorter sees it. */
    private final class SorterHost implements ConnectionSorter.Host {
        @Override
        public MigrationParameters params() {
            return DestinationSession.this.params();
        }

        @Override
        public boolean stopping() {
            return DestinationSession.this.stopping();
        }

        @Override
        public void register(IOChannel channel) {
            DestinationSession.this.register(channel);
        }

        @Override
        public void unregister(IOChannel channel) {
            DestinationSession.this.unregister(channel);
        }

        @Override
        public void fail(Failure failure) {
            DestinationSession.this.fail(failure);
        }

        @Override
        public void startShortWorker(String name, Runnable action) {
            DestinationSession.this.startShortWorker(name, action);
        }

        @Override
        public void armSetupDeadline() {
            DestinationSession.this.armSetupDeadline();
        }

        @Override
        public void tlsSession(TlsSessionInfo session) {
            DestinationSession.this.tlsSession(session);
        }

        @Override
        public Hello mainIdentified(MainChannel main, Frame frame) throws ProtocolException, MigrationException {
            // From here on failures are told to the source on the main channel.
            mainChannelReady(main);
            Hello received = Hello.decode(frame);
            plan(openBlocks(received), received.channels());
            hello = received;
            phases.moveTo(DestinationPhase.IDENTIFYING);
            // Read the source's frames from now on: an ERROR or CANCEL while the multifd channels connect explains
            // itself instead of ending as a setup timeout.
            mainReaderStarted();
            startWorker("main-reader", DestinationSession.this::readMain);
            return received;
        }

        @Override
        public void multifdIdentified(int id, IOChannel channel) {
            channelCounters().get(id).attach(channel, false);
            channelCounters().get(id).add(InitPacket.SIZE, 0);
            counters.multifdBytes.add(InitPacket.SIZE);
        }
    }

    @Override
    void expire(long now) {
        sorter.expire(now);
    }

    @Override
    long unidentifiedConnections() {
        return sorter.dropped();
    }

    /** Asks the provider for every announced block; returns the sum of their sizes. */
    private long openBlocks(Hello received) throws MigrationException {
        long sum = 0;
        if (!received.handedOver().isEmpty()) {
            refuseHandoverIfUnable(received);
        }
        for (int index = 0; index < received.blocks().size(); index++) {
            Hello.BlockInfo info = received.blocks().get(index);
            if (received.handedOver().contains(index)) {
                // Mapped when its descriptor arrives, after the last round; no page of it is sent.
                handoverArenas.put(index, handoverArena(info));
                blocks.add(RamBlock.of(info.name(), MemorySegment.NULL));
                sum += info.size();
                continue;
            }
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

    /** {@return where a block handed over will be mapped, as the provider says} */
    private Arena handoverArena(Hello.BlockInfo info) throws MigrationException {
        Arena arena;
        try {
            arena = provider.handoverArena(info.name(), info.size());
        } catch (IOException | RuntimeException e) {
            throw new MigrationException(e.getMessage() != null ? e.getMessage()
                    : "the ram block provider failed for '" + info.name() + "': " + e, e);
        }
        if (arena == null) {
            throw new MigrationException("the source hands ram block '" + info.name() + "' over (its memory itself,"
                    + " not a copy), but this destination's ram block provider takes no handed-over memory"
                    + " (RamBlockProvider.anonymous does)");
        }
        return arena;
    }

    /** Refuses, at HELLO, blocks handed over to a destination that cannot receive or map them. */
    private void refuseHandoverIfUnable(Hello received) throws MigrationException {
        String first = received.blocks().get(received.handedOver().getFirst()).name();
        IOChannel channel = main().channel();
        if (!channel.features().contains(Feature.PASS_DESCRIPTORS)) {
            throw new MigrationException("the source hands ram block '" + first + "' over, but this destination's"
                    + " channels (provider '" + channel.providerName() + "') cannot receive descriptors: listen on"
                    + " a Unix domain socket with the Linux provider (module io.channel.linux)");
        }
        Throwable cause = PageMemory.provider().handoverUnavailabilityCause();
        if (cause != null) {
            throw new MigrationException("the source hands ram block '" + first + "' over, but this destination"
                    + " cannot map handed-over memory: " + cause.getMessage(), cause);
        }
        try {
            // Now, in the setup, not after COMPLETE, inside the source's downtime.
            PageMemory.provider().prepareForHandover();
        } catch (IOException e) {
            throw new MigrationException("the source hands ram block '" + first + "' over, but this destination"
                    + " cannot map handed-over memory: " + e.getMessage(), e);
        }
    }

    @Override
    void closeResources() {
        sorter.closeListener();
    }

    @Override
    void kickResources() {
        sorter.closeListener();
    }

    @Override
    void wakeWaiters() {
        RoundBarrier current = barrier;
        if (current != null) {
            current.wakeAll();
        }
        sorter.wake();
    }

    /**
     * Before a source said HELLO, there is no peer to tell, and the connections refused so far (a TLS peer
     * refused, say) are what the user needs to know: their count and the last reason.
     */
    @Override
    String cancelDetail() {
        return hello == null ? sorter.summary() : "";
    }

    @Override
    String setupTimeoutMessage() {
        return sorter.setupTimeoutMessage();
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
        return new ZeroCopyStats(params().zeroCopy(), sorter.listener().providerName(), false, 0, 0, 0, 0,
                "zero-copy is a send-side feature; the destination receives by reading");
    }

    @Override
    LiveStats liveStats() {
        Hello current = hello;
        if (current == null || !current.live()) {
            return LiveStats.notLive(current == null ? "not known yet: the source has not said HELLO"
                    : "not live: the source sends one round of every page");
        }
        boolean over = phases.current().compareTo(DestinationPhase.VERIFYING) >= 0;
        return new LiveStats(true, "live: the source sends rounds of dirty pages, then pauses for the last one",
                0, -1, -1, 0, over ? "switched over (the source decided; its statistics say why)"
                : "converging (the source decides when to switch over)", rounds, List.of(),
                LiveStats.DowntimePhases.NONE);
    }

    @Override
    MigrationStatus phaseStatus() {
        return phases.current().status();
    }

    @Override
    Ownership ownership() {
        List<DestinationPhase> history = phases.history();
        if (history.contains(DestinationPhase.COMMITTED)) {
            return Ownership.DESTINATION;
        }
        if (!history.contains(DestinationPhase.RESULT_SENT)) {
            return Ownership.SOURCE;
        }
        Ending end = ending();
        if (end == null) {
            // Waiting for COMMIT: not this side's yet.
            return Ownership.SOURCE;
        }
        // The source said it keeps the memory (ERROR, CANCEL, or a clean close without COMMIT): it did not commit.
        boolean sourceKeeps = end.failure() instanceof Failure.ByPeer
                || end.failure() instanceof Failure.Cancelled cancelled && cancelled.byPeer();
        return sourceKeeps ? Ownership.SOURCE : Ownership.UNKNOWN;
    }

    @Override
    void ended(MigrationStatus outcome) {
        phases.moveTo(DestinationPhase.ENDED);
    }

    private static String hex32(int value) {
        return String.format("0x%08x", value);
    }
}
