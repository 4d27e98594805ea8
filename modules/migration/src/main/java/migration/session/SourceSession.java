package migration.session;

import io.channel.ChannelOptions;
import io.channel.Feature;
import io.channel.FlushResult;
import io.channel.IOChannel;
import io.channel.SocketAddressText;
import io.channel.spi.ChannelProvider;
import io.channel.tls.TlsChannel;
import io.channel.tls.TlsParameters;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import io.channel.memory.DirtyPages;
import io.channel.memory.HandoverMemory;
import io.channel.memory.PageMemory;
import migration.ChannelStats;
import migration.LiveParameters;
import migration.LiveStats;
import migration.SourceHooks;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationProtocol;
import migration.MigrationStatus;
import migration.RamBlock;
import migration.ZeroCopyMode;
import migration.Ownership;
import migration.VerifiedBy;
import migration.VerifyMode;
import migration.ZeroCopyStats;
import migration.multifd.Crc32c;
import migration.multifd.BandwidthLimiter;
import migration.multifd.ChannelCounters;
import migration.multifd.IncrementalBlockDigest;
import migration.multifd.MultifdSender;
import migration.multifd.PacketCursor;
import migration.multifd.PageDigests;
import migration.multifd.SenderHost;
import migration.multifd.TransferCounters;
import migration.protocol.Admission;
import migration.protocol.Complete;
import migration.protocol.Frame;
import migration.protocol.FrameType;
import migration.protocol.HandoverMessage;
import migration.protocol.Hello;
import migration.protocol.MainChannel;
import migration.protocol.PeerText;
import migration.protocol.ProtocolException;
import migration.protocol.Result;
import migration.protocol.InitPacket;
import migration.protocol.RoundEnd;
import migration.protocol.RoundReceived;

/**
 * The source side of a migration: connects the main channel and the multifd channels, sends the handshake,
 * lets the channels claim packets of up to 128 pages from each round's cursor, ends each round with a SYNC and a flush on every
 * channel, and finishes with per-block digests and the destination's verdict.
 *
 * <p>Threads: the control thread ({@code migration-source}) drives the rounds; one reader thread
 * ({@code migration-source-main-reader}) reads the destination's frames; one platform thread per multifd
 * channel ({@code migration-source-multifd-N}) sends; and the watchdog. The source's memory is only read.
 *
 * <p>Why one class of this size: the control flow of a source is one sequence (connect, handshake, rounds, pause,
 * last round, COMPLETE, RESULT, COMMIT) whose steps share the senders, the trackers and the downtime marks, and
 * reads best top to bottom; the zero-copy report ({@link ZeroCopyReport}), the convergence rule
 * ({@link Convergence}) and the trackers ({@link Precopy}) live apart.
 */
public final class SourceSession extends Session implements SenderHost {

    /** Why TLS is refused over a Unix domain socket, at either side. */
    static final String TLS_OVER_UNIX_SOCKET = "TLS over a Unix domain socket is not supported: the peer is a process"
            + " on this host, and the destination checks its user as the kernel tells it (SO_PEERCRED) instead";

    private final SocketAddress destination;
    private final List<RamBlock> blocks;
    private final ZeroCopyPlan plan;
    private final UUID migrationId = UUID.randomUUID();
    private final BandwidthLimiter limiter;
    private final AtomicLong packetNumbers = new AtomicLong();
    private final List<PageDigests> pageDigests;
    private final CountDownLatch accepted = new CountDownLatch(1);
    private final CountDownLatch resultArrived = new CountDownLatch(1);
    private final TransferCounters counters;
    private final List<ChannelCounters> channelCounters;
    private volatile Result result;
    private volatile CountDownLatch syncs;
    private volatile List<MultifdSender> senders = List.of();
    private final Phases<SourcePhase> phases = new Phases<>("source", SourcePhase.CONNECTING);
    /**
     * The indices of the blocks handed over (their descriptors pass on the handover channel after the last round,
     * and no round sends their pages), in increasing order; empty when none is.
     */
    private final List<Integer> handedOver;
    /** The live migration's state, or {@code null} for a single round. */
    private final Precopy precopy;
    private final SourceHooks hooks;
    private volatile boolean switchoverRequested;
    private volatile long resultNanos;
    /** The round whose ROUND_RECEIVED the control thread waits for, 0 when none; and its latch. */
    private volatile int awaitedReceipt;
    private volatile CountDownLatch receipt;
    /** Bytes of the current round, and the processed bytes when it started: for {@code ram.remaining}. */
    private volatile long roundBytes;
    private volatile long processedAtRoundStart;

    private SourceSession(SocketAddress destination, List<RamBlock> blocks, MigrationParameters params,
                          ZeroCopyPlan plan, Precopy precopy, SourceHooks hooks, List<Integer> handedOver) {
        super("source", "destination", params);
        this.destination = destination;
        this.blocks = List.copyOf(blocks);
        this.plan = plan;
        this.precopy = precopy;
        this.hooks = hooks;
        this.handedOver = handedOver;
        this.limiter = new BandwidthLimiter(params.maxBandwidth());
        // A live migration always records the sent pages' CRCs: the portable tracker compares against them. Verify
        // on under TLS takes none (MigrationParameters.digestsPages).
        this.pageDigests = params.digestsPages() || precopy != null
                ? blocks.stream().map(b -> new PageDigests(b.size())).toList() : null;
        plan(blocks.stream().mapToLong(RamBlock::size).sum(), params.channels());
        this.counters = counters();
        this.channelCounters = channelCounters();
    }

    /**
     * Validates everything that can be checked before connecting, chooses the provider, and starts the
     * migration's threads.
     *
     * @param destination where the destination listens: a host and port, or a Unix domain socket's path
     * @param blocks      the blocks to migrate, with distinct names
     * @param params      the parameters
     * @param candidates  channel providers to choose from, or {@code null} for those on the module path
     * @return the running session
     * @throws MigrationException if the blocks or zero-copy settings cannot work; nothing was sent
     */
    public static SourceSession start(SocketAddress destination, List<RamBlock> blocks,
                                      MigrationParameters params, List<ChannelProvider> candidates)
            throws MigrationException {
        return start(destination, blocks, params, candidates, null, null);
    }

    /**
     * Like {@link #start(SocketAddress, List, MigrationParameters, List)}, live: rounds of dirty pages until
     * the expected downtime is within the limit, then the pause hook and the last round.
     *
     * @param destination where the destination listens: a host and port, or a Unix domain socket's path
     * @param blocks      the blocks to migrate, with distinct names
     * @param params      the parameters
     * @param candidates  channel providers to choose from, or {@code null} for those on the module path
     * @param live        the live parameters, or {@code null} for a single round
     * @param hooks       the application's hooks; required with {@code live}
     * @return the running session
     * @throws MigrationException if the blocks, the zero-copy settings or the dirty trackers cannot work
     */
    public static SourceSession start(SocketAddress destination, List<RamBlock> blocks,
                                      MigrationParameters params, List<ChannelProvider> candidates,
                                      LiveParameters live, SourceHooks hooks) throws MigrationException {
        if (live != null) {
            Objects.requireNonNull(hooks, "hooks");
        }
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(blocks, "blocks");
        if (blocks.isEmpty()) {
            throw new MigrationException("nothing to migrate: no ram blocks");
        }
        if (blocks.size() > MigrationProtocol.MAX_BLOCKS) {
            throw new MigrationException("too many ram blocks: " + blocks.size() + ", at most "
                    + MigrationProtocol.MAX_BLOCKS);
        }
        if (destination instanceof UnixDomainSocketAddress && params.tls() != null) {
            throw new MigrationException(TLS_OVER_UNIX_SOCKET);
        }
        Set<String> names = new HashSet<>();
        for (RamBlock block : blocks) {
            if (!names.add(block.name())) {
                throw new MigrationException("two ram blocks are named '" + block.name() + "'");
            }
        }
        ZeroCopyPlan plan = ZeroCopyPlan.choose(params.zeroCopy(), params.provider(), candidates,
                System.getProperty("os.name", "unknown"), params.tls() != null, destination,
                blocks.stream().anyMatch(SourceSession::canBeHandedOver));
        // Under TLS, or to a destination on this host, copying is a given, not news: the statistics still say why.
        if (params.zeroCopy() == ZeroCopyMode.AUTO && !plan.requestZeroCopy() && params.provider() == null
                && !plan.givenBySetup()) {
            LOG.log(System.Logger.Level.INFO, "zero-copy: " + plan.reason());
        }
        List<Integer> handedOver = handedOver(blocks, plan, destination);
        Precopy precopy = live == null ? null : Precopy.create(live, blocks, Set.copyOf(handedOver));
        SourceSession session;
        try {
            session = new SourceSession(destination, blocks, params, plan, precopy, hooks, handedOver);
        } catch (RuntimeException | Error e) {
            if (precopy != null) {
                precopy.close();
            }
            throw e;
        }
        session.armSetupDeadline();
        session.startThreads();
        return session;
    }

    @Override
    void runSession() throws Exception {
        MigrationParameters params = params();
        ChannelOptions options = ChannelOptions.defaults().withConnectTimeout(params.setupTimeout());
        IOChannel mainChannel = connect(options.withZeroCopy(false), "the main channel");
        register(mainChannel);
        MainChannel mainFrames = new MainChannel(mainChannel);
        List<IOChannel> data = new ArrayList<>();
        List<Boolean> zeroCopy = new ArrayList<>();
        for (int i = 0; i < params.channels(); i++) {
            // zero-copy=on means required: a write the kernel refuses to pin fails (QEMU's "Process can't lock enough
            // memory for using MSG_ZEROCOPY") instead of being copied behind the user's back.
            IOChannel channel = connect(options.withZeroCopy(plan.requestZeroCopy())
                    .withStrictZeroCopy(params.zeroCopy() == ZeroCopyMode.ON), "multifd channel " + i);
            register(channel);
            data.add(channel);
            boolean granted = plan.requestZeroCopy() && channel.features().contains(Feature.WRITE_ZERO_COPY);
            if (plan.requestZeroCopy() && !granted) {
                String why = channel.zeroCopyUnavailableReason();
                if (params.zeroCopy() == ZeroCopyMode.ON) {
                    throw new MigrationException("Zero copy send feature not detected in host kernel: multifd channel "
                            + i + " to " + SocketAddressText.of(destination) + ": " + why);
                }
                channelCounters.get(i).noZeroCopy(why);
            }
            channelCounters.get(i).attach(channel, granted);
            zeroCopy.add(granted);
        }
        checkStopping();
        phases.moveTo(SourcePhase.HANDSHAKE);
        // The first bytes move only now, after every channel passed the zero-copy checks.
        mainFrames.writePreamble();
        // From here on failures are reported to the destination on the main channel.
        mainChannelReady(mainFrames);
        mainFrames.send(new Hello(migrationId, params.channels(), MigrationProtocol.PAGE_SIZE,
                MigrationProtocol.MAX_PAGES_PER_PACKET,
                blocks.stream().map(b -> new Hello.BlockInfo(b.name(), b.size())).toList(), precopy != null,
                handedOver).encode());
        // Read the answer from now on: a refusal (ERROR) may arrive while the init packets are being sent.
        mainReaderStarted();
        startWorker("main-reader", this::readMain);
        for (int i = 0; i < data.size(); i++) {
            sendInit(data.get(i), i);
        }
        IOChannel handover = handedOver.isEmpty() ? null : connectHandover(options);
        startHeartbeats();
        // Bounded by the setup timeout (the watchdog's).
        awaitLatch(accepted);
        phases.moveTo(SourcePhase.ROUNDS);
        setupDone();

        List<MemorySegment> memory = blocks.stream().map(RamBlock::memory).toList();
        List<MultifdSender> senders = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            senders.add(new MultifdSender(i, data.get(i), memory, limiter, packetNumbers, counters,
                    channelCounters.get(i), params.zeroCopy(), zeroCopy.get(i), pageDigests,
                    precopy == null ? null : precopy.comparesContents(), this));
        }
        this.senders = List.copyOf(senders);
        for (MultifdSender sender : senders) {
            startWorker("multifd-" + sender.id(), sender);
        }

        if (precopy == null && params.verification() == VerifyMode.FINAL) {
            // Memory that is not live does not change: its digests can be read while the round sends it.
            startMemoryDigests();
        }
        int rounds = precopy == null ? singleRound(senders) : precopyRounds(mainFrames, senders);
        for (MultifdSender sender : senders) {
            sender.submit(new MultifdSender.StopJob());
        }
        if (handover != null) {
            handOver(handover);
        }
        boolean ofMemory = params.verification() == VerifyMode.FINAL;
        int[] digests = ofMemory ? awaitMemoryDigests() : !params.digestsPages() ? null
                : finalDigests != null ? finalDigests : digests();
        checkStopping();
        phases.moveTo(SourcePhase.COMPLETE_SENT);
        Frame complete = new Complete(rounds, counters.dataPackets.sum(), digests, ofMemory).encode();
        // Taken before the send: RESULT may be read (resultNanos) before send() returns.
        downtimeMarks[4] = System.nanoTime();
        mainFrames.send(complete);
        await(resultArrived, params.switchoverTimeout(), "its RESULT after COMPLETE",
                "the source keeps the memory" + (precopy != null ? " and resumes the application" : "")
                        + " (a destination activates only on the COMMIT that follows a RESULT; raise"
                        + " switchover-timeout if the destination needs longer to check the memory)");
        if (precopy != null) {
            downtimeMarks[5] = resultNanos;
            precopy.downtime(downtimeMarks);
        }
        Result verdict = result;
        if (!verdict.ok()) {
            fail(new Failure.ByPeer("the destination rejected the migration: " + verdict.message()));
            throw new Stopped();
        }
        commit(mainFrames, verdict);
    }

    /**
     * Hands the memory over: COMMIT, after which this source never resumes. The outcome is claimed first, so that
     * no cancel or failure can overtake the COMMIT and resume an application that the destination runs. If the
     * COMMIT cannot be handed to the main channel whole, the destination cannot have read it: the source keeps
     * the memory and fails. The watchdog shuts the main channel down if the write blocks past the switchover
     * timeout, which ends it that way.
     */
    private void commit(MainChannel mainFrames, Result verdict) throws Stopped {
        if (!claimCompletion()) {
            throw new Stopped();
        }
        drainFor(params().switchoverTimeout());
        try {
            mainFrames.send(Frame.empty(FrameType.COMMIT));
        } catch (IOException e) {
            completionFailed(new Failure.Transport("main channel: COMMIT could not be sent, so the destination"
                    + " cannot have it and the source keeps the memory: " + e.getMessage(), e));
            throw new Stopped();
        }
        switchedOver();
        phases.moveTo(SourcePhase.COMMITTED);
        verdict(verdict.verified() ? VerifiedBy.atSource(params()) : VerifiedBy.NONE);
        long start = System.nanoTime();
        giveUpHandedOver();
        if (!handedOver.isEmpty()) {
            writeProtectMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        }
    }

    /** Milliseconds {@link #giveUpHandedOver} took; the control thread's, read by {@link #stats()}. */
    private volatile long writeProtectMillis;

    @Override
    long writeProtectTimeMillis() {
        return writeProtectMillis;
    }

    /** The blocks' CRC32Cs of their final memory (verify {@code final}), read on a worker; null until started. */
    private volatile CompletableFuture<int[]> memoryDigests;

    /**
     * Starts reading the blocks' final memory for its digests (verify {@code final}), on a worker thread, so that
     * it overlaps the last round: from the last sync on (or, not live, from the start) the memory no longer changes.
     */
    private void startMemoryDigests() {
        CompletableFuture<int[]> future = new CompletableFuture<>();
        memoryDigests = future;
        startWorker("final-digest", () -> {
            try {
                int[] digests = new int[blocks.size()];
                for (int i = 0; i < digests.length && !stopping(); i++) {
                    // A handed-over block's digest slot is 0 and not compared: the destination maps these very pages.
                    digests[i] = handedOver.contains(i) ? 0 : Crc32c.ofMemory(blocks.get(i).memory());
                }
                future.complete(digests);
            } catch (RuntimeException | Error e) {
                future.completeExceptionally(e);
            }
        });
    }

    /** Waits for the final memory's digests; a failure to read the memory fails the migration naming it. */
    private int[] awaitMemoryDigests() throws InterruptedException, MigrationException, Stopped {
        if (memoryDigests == null) {
            startMemoryDigests();
        }
        while (true) {
            checkStopping();
            try {
                return memoryDigests.get(100, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // Check for the end again.
            } catch (ExecutionException e) {
                throw new MigrationException("reading the source's final memory for its digests failed: "
                        + e.getCause(), e.getCause());
            }
        }
    }

    /**
     * {@return the blocks this migration hands over: over a Unix domain socket whose channels pass descriptors,
     * every block that is not empty and was made to be handed over ({@link RamBlock#handoverMemory()})} The others
     * go by copy, in the same migration.
     */
    private static List<Integer> handedOver(List<RamBlock> blocks, ZeroCopyPlan plan, SocketAddress destination) {
        if (!plan.provider().passesDescriptorsTo(destination)) {
            return List.of();
        }
        List<Integer> indices = new ArrayList<>();
        for (int b = 0; b < blocks.size(); b++) {
            if (canBeHandedOver(blocks.get(b))) {
                indices.add(b);
            }
        }
        return List.copyOf(indices);
    }

    /** {@return per block the bytes the rounds copy: its size, 0 for a block handed over} */
    private List<Long> copiedSizes() {
        List<Long> sizes = new ArrayList<>(blocks.size());
        for (int b = 0; b < blocks.size(); b++) {
            sizes.add(handedOver.contains(b) ? 0L : blocks.get(b).size());
        }
        return sizes;
    }

    /** {@return whether a block is handed over where the channels pass descriptors: made for it, and not empty} */
    private static boolean canBeHandedOver(RamBlock block) {
        return block.size() > 0 && block.handoverMemory().isPresent();
    }

    /** Connects the handover channel and identifies it (an init packet naming {@link InitPacket#HANDOVER_CHANNEL}). */
    private IOChannel connectHandover(ChannelOptions options) throws IOException, MigrationException, Stopped {
        IOChannel channel = connect(options.withZeroCopy(false), "the handover channel");
        register(channel);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment init = arena.allocate(InitPacket.SIZE);
            new InitPacket(migrationId, InitPacket.HANDOVER_CHANNEL).encode(init);
            channel.writeAll(init);
        } catch (IOException e) {
            throw new IOException("the handover channel: sending the init packet failed: " + e.getMessage(), e);
        }
        counters.multifdBytes.add(InitPacket.SIZE);
        return channel;
    }

    /**
     * Passes the descriptor of every block handed over, one message each, after the last round: the pages stay
     * where they are and the destination maps them. Inside the downtime of a live migration, and constant in the
     * blocks' size.
     */
    private void handOver(IOChannel channel) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment message = arena.allocate(HandoverMessage.SIZE);
            for (int b : handedOver) {
                HandoverMemory memory = blocks.get(b).handoverMemory().orElseThrow();
                new HandoverMessage(b, memory.sealed(), memory.fileSize()).encode(message);
                try {
                    channel.writeWithDescriptors(message, memory.descriptor());
                } catch (IOException e) {
                    throw new IOException("the handover channel: passing ram block '" + blocks.get(b).name()
                            + "' failed: " + e.getMessage(), e);
                }
                counters.multifdBytes.add(HandoverMessage.SIZE);
            }
        }
    }

    /**
     * After COMMIT only the destination may write what was handed over: the source write-protects its own mapping
     * of it ({@code mprotect(PROT_READ)}), so that a stray write here faults instead of changing the destination's
     * memory. Its application is paused and never resumes, so nothing writes meanwhile. A failure is logged: the
     * memory is the destination's either way.
     */
    private void giveUpHandedOver() {
        for (int b : handedOver) {
            try {
                if (!PageMemory.provider().writeProtect(blocks.get(b).memory())) {
                    LOG.log(System.Logger.Level.WARNING, "ram block '" + blocks.get(b).name() + "' was handed over,"
                            + " but memory provider '" + PageMemory.provider().name() + "' cannot write-protect it");
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "ram block '" + blocks.get(b).name() + "' was handed over,"
                        + " but write-protecting it here failed: " + e.getMessage(), e);
            }
        }
    }

    /** A migration that is not live: one round of every page. */
    private int singleRound(List<MultifdSender> senders) throws InterruptedException, Stopped {
        roundBytes = copiedSizes().stream().mapToLong(Long::longValue).sum();
        runRound(1, new PacketCursor(copiedSizes()), senders);
        roundEnded();
        return 1;
    }

    /**
     * {@link System#nanoTime()} at the pause hook's call and at the end of each phase of the downtime after it
     * (see {@link LiveStats.DowntimePhases}); the last one, RESULT's arrival, is {@link #resultNanos}.
     */
    private final long[] downtimeMarks = new long[6];
    /** The blocks' digests after a live migration's last round, or {@code null}; the control thread's. */
    private int[] finalDigests;
    /**
     * A live migration's block digests when verifying, folded after each round from the pages it sent, so that the
     * downtime only folds the last round's pages; else {@code null}. The control thread's.
     */
    private List<IncrementalBlockDigest> blockDigests;

    /**
     * The switchover of a live migration after {@code round}: pause hook, last sync, last round of what either
     * sync found dirty, its end on every channel. Returns the rounds sent, the last one included.
     */
    private int switchOver(int round, Precopy.Synced synced, String why, List<MultifdSender> senders)
            throws Exception {
        precopy.switchedOver(why);
        Hook pause = hooks::pause; // linked here, not in the downtime
        downtimeMarks[0] = System.nanoTime();
        phases.moveTo(SourcePhase.PAUSED);
        runHook("pause", pause);
        downtimeMarks[1] = System.nanoTime();
        Precopy.Synced last = precopy.sync();
        if (params().verification() == VerifyMode.FINAL) {
            startMemoryDigests();
        }
        downtimeMarks[2] = System.nanoTime();
        List<DirtyPages> dirty = new ArrayList<>();
        long pages = 0;
        for (int b = 0; b < blocks.size(); b++) {
            DirtyPages union = synced.dirty().get(b).union(last.dirty().get(b));
            dirty.add(union);
            pages += union.dirtyPageCount();
        }
        round++;
        roundBytes = pages * MigrationProtocol.PAGE_SIZE;
        processedAtRoundStart = counters.processedBytes.sum();
        long finalStart = System.nanoTime();
        long finalBytes = counters.multifdBytes.sum();
        runRound(round, PacketCursor.of(dirty), senders);
        downtimeMarks[3] = System.nanoTime();
        if (blockDigests != null) {
            foldSent(dirty);
            finalDigests = new int[blocks.size()];
            for (int b = 0; b < finalDigests.length; b++) {
                finalDigests[b] = handedOver.contains(b) ? 0 : blockDigests.get(b).digest();
            }
        }
        roundEnded();
        precopy.finalRound(round, pages, counters.multifdBytes.sum() - finalBytes,
                System.nanoTime() - finalStart, last.nanos());
        return round;
    }

    /**
     * Iterative precopy: round 1 sends every page with the trackers armed; after each round, ROUND_END, the
     * destination's ROUND_RECEIVED (the round is in its memory), one sync
     * (which re-arms the trackers before the next round's pages go out), the round's numbers, and either another
     * round of the dirty pages or the switchover: pause hook, last sync, last round. Returns the rounds sent.
     */
    private int precopyRounds(MainChannel mainFrames, List<MultifdSender> senders) throws Exception {
        if (params().digestsPages()) {
            List<IncrementalBlockDigest> made = new ArrayList<>();
            for (int b = 0; b < blocks.size(); b++) {
                made.add(new IncrementalBlockDigest(pageDigests.get(b), blocks.get(b).size()));
            }
            blockDigests = made;
        }
        precopy.arm();
        if (!handedOver.isEmpty() && copiedSizes().stream().allMatch(size -> size == 0)) {
            // No page is copied: a round would send nothing and only cost a round trip before the pause.
            return switchOver(0, precopy.sync(), "every block is handed over: no page is copied, so no round"
                    + " goes before the switchover", senders);
        }
        int round = 1;
        long pagesSent = copiedSizes().stream().mapToLong(MigrationProtocol::pageCount).sum();
        List<DirtyPages> sent = null;
        long start = System.nanoTime();
        long bytesBefore = counters.multifdBytes.sum();
        roundBytes = copiedSizes().stream().mapToLong(Long::longValue).sum();
        runRound(round, new PacketCursor(copiedSizes()), senders);
        while (true) {
            roundEnded();
            // Wait until the destination holds the whole round before the sync that may decide the switchover:
            // the round's time then covers its bytes' way to the destination's memory (the bandwidth the last
            // round will see), and the pause never starts with this round still in the sockets' buffers.
            CountDownLatch received = new CountDownLatch(1);
            receipt = received;
            awaitedReceipt = round;
            long roundEndSent = System.nanoTime();
            mainFrames.send(new RoundEnd(round).encode());
            await(received, params().roundTimeout(), "ROUND_RECEIVED for round " + round + " (every page of the"
                    + " round in its memory)", "the application keeps running at the source; raise round-timeout if"
                    + " the destination is slow to take a round");
            // The round's bytes are in the destination's memory: what they took end to end is the bandwidth.
            long receivedAt = System.nanoTime();
            long transferNanos = receivedAt - start;
            // The round's pages are folded into the block digests here, with no round running and before the sync:
            // work between the sync and the pause would let the writers dirty more pages for the last round. The
            // downtime window only folds in the pages the last round sends again.
            foldSent(sent);
            precopy.recordSent(sent, pageDigests);
            Precopy.Synced synced = precopy.sync();
            long sentBytes = counters.multifdBytes.sum() - bytesBefore;
            int throttle = precopy.roundEnded(round, pagesSent, sentBytes, transferNanos, receivedAt - roundEndSent,
                    synced);
            if (throttle >= 0) {
                runHook("throttle", () -> hooks.throttle(throttle));
            }
            checkStopping();
            Convergence.Next next = precopy.next();
            String why = switchoverRequested ? "asked for by switchover()"
                    : next == Convergence.Next.SWITCH_OVER ? precopy.switchoverReason() : null;
            if (why != null) {
                return switchOver(round, synced, why, senders);
            }
            if (next == Convergence.Next.GIVE_UP) {
                throw new MigrationException(precopy.notConverged());
            }
            round++;
            sent = synced.dirty();
            pagesSent = synced.pages();
            start = System.nanoTime();
            bytesBefore = counters.multifdBytes.sum();
            roundBytes = synced.bytes();
            processedAtRoundStart = counters.processedBytes.sum();
            runRound(round, PacketCursor.of(sent), senders);
        }
    }

    /**
     * Folds the pages a round sent into the block digests, when verifying. Call with no round running.
     *
     * @param sent per block the pages sent, or {@code null} for every page (round 1)
     */
    private void foldSent(List<DirtyPages> sent) {
        if (blockDigests == null) {
            return;
        }
        for (int b = 0; b < blocks.size(); b++) {
            if (handedOver.contains(b)) {
                continue;
            }
            IncrementalBlockDigest digest = blockDigests.get(b);
            if (sent == null) {
                digest.changed(0, MigrationProtocol.pageCount(blocks.get(b).size()));
            } else {
                // Loops, not forEachRange: a lambda's first use links it, milliseconds of the downtime.
                DirtyPages pages = sent.get(b);
                for (int range = 0; range < pages.rangeCount(); range++) {
                    digest.changed(pages.start(range), pages.end(range) - pages.start(range));
                }
            }
            digest.foldChanges();
        }
    }

    /** A hook of the application's, which may throw anything. */
    private interface Hook {
        void run() throws Exception;
    }

    /** Runs a hook on this (the control) thread; its failure fails the migration naming the hook. */
    private static void runHook(String name, Hook hook) throws MigrationException {
        try {
            hook.run();
        } catch (Exception | Error e) {
            throw new MigrationException("the source's " + name + " hook failed: " + e, e);
        }
    }

    /**
     * Asks a live migration to switch over after the round now running, whatever the expected downtime. Does
     * nothing for a migration that is not live or has switched over already. Any thread.
     */
    public void switchover() {
        switchoverRequested = true;
    }

    /**
     * Reports bytes of a block the application wrote (see {@code MigrationSource.markDirty}).
     *
     * @param block  the block's name
     * @param offset the first byte written
     * @param length the bytes written
     * @throws IllegalArgumentException  if no block has that name
     * @throws IndexOutOfBoundsException if the bytes are not all inside the block
     */
    public void markDirty(String block, long offset, long length) {
        for (int b = 0; b < blocks.size(); b++) {
            if (blocks.get(b).name().equals(block)) {
                if (precopy != null && !handedOver.contains(b)) {
                    precopy.markDirty(b, offset, length);
                }
                return;
            }
        }
        throw new IllegalArgumentException("no ram block is named " + PeerText.quote(block));
    }

    @Override
    long remaining(long all) {
        if (precopy == null) {
            // A block handed over is never copied: its bytes are not waiting for a round.
            long handedOverBytes = 0;
            for (int b : handedOver) {
                handedOverBytes += blocks.get(b).size();
            }
            return super.remaining(all - handedOverBytes);
        }
        return Math.max(0, roundBytes - (counters.processedBytes.sum() - processedAtRoundStart));
    }

    @Override
    LiveStats liveStats() {
        return precopy == null ? LiveStats.notLive("not live: no pause hook, so one round of every page (the"
                + " memory must not change while it moves)") : precopy.stats();
    }

    @Override
    void ended(MigrationStatus outcome) {
        if (precopy == null) {
            return;
        }
        precopy.close();
        SourcePhase last = phases.current();
        phases.moveTo(SourcePhase.ENDED);
        if (outcome == MigrationStatus.COMPLETED) {
            return;
        }
        // Not committed: the source owns the memory. As QEMU's migration_iteration_finish does, the throttle stops
        // whatever the outcome, before the application resumes.
        boolean paused = last == SourcePhase.PAUSED || last == SourcePhase.COMPLETE_SENT;
        if (precopy.throttle() > 0) {
            runEndHook("throttle", () -> hooks.throttle(0), outcome);
        }
        if (paused) {
            runEndHook("resume", hooks::resume, outcome);
        }
    }

    private static void runEndHook(String name, Hook hook, MigrationStatus outcome) {
        try {
            hook.run();
        } catch (Exception | Error e) {
            LOG.log(System.Logger.Level.WARNING, "the source's " + name + " hook failed after the migration ended "
                    + outcome.jsonName(), e);
        }
    }

    @Override
    MigrationStatus phaseStatus() {
        return phases.current().status();
    }

    @Override
    Ownership ownership() {
        return phases.current() == SourcePhase.COMMITTED || phases.history().contains(SourcePhase.COMMITTED)
                ? Ownership.DESTINATION : Ownership.SOURCE;
    }


    private IOChannel connect(ChannelOptions options, String what) throws MigrationException, Stopped {
        checkStopping();
        IOChannel raw;
        try {
            raw = plan.provider().connect(destination, options);
        } catch (IOException e) {
            checkStopping();
            // The SPI asks providers to name the address in their messages; say it here only if one did not.
            String detail = String.valueOf(e.getMessage());
            String address = SocketAddressText.of(destination);
            throw new MigrationException("cannot connect " + what + (detail.contains(address) ? "" : " to "
                    + address) + ": " + detail, e);
        }
        return params().tls() == null ? raw : secure(raw, what);
    }

    /** Runs the TLS handshake on a connected channel before any frame; the setup timeout bounds it too. */
    private IOChannel secure(IOChannel raw, String what) throws MigrationException, Stopped {
        TlsParameters tls = params().tls();
        Duration timeout = Duration.ofNanos(Math.max(1_000_000, setupDeadlineNanos() - System.nanoTime()));
        try {
            TlsChannel channel = TlsChannel.client(raw, ((InetSocketAddress) destination).getHostString(),
                    timeout.compareTo(tls.handshakeTimeout()) < 0 ? tls.withHandshakeTimeout(timeout) : tls);
            // TLS admission (PROTOCOL.md 1.1): the destination's answer to this side's identity, before anything is
            // sent; registered first, so that the setup deadline's watchdog ends the wait.
            register(channel);
            Admission.await(channel);
            tlsSession(channel.session());
            return channel;
        } catch (IOException e) {
            checkStopping();
            throw new MigrationException("TLS on " + what + " to " + destination + ": " + e.getMessage(), e);
        }
    }

    private void sendInit(IOChannel channel, int id) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment init = arena.allocate(InitPacket.SIZE);
            new InitPacket(migrationId, id).encode(init);
            channel.writeAll(init);
        } catch (IOException e) {
            throw new IOException("multifd channel " + id + ": sending the init packet failed: " + e.getMessage(), e);
        }
        channelCounters.get(id).add(InitPacket.SIZE, 0);
        counters.multifdBytes.add(InitPacket.SIZE);
    }

    /** Every sender sends packets from the cursor until it is exhausted, then its SYNC; waits for all. */
    private void runRound(int round, PacketCursor cursor, List<MultifdSender> senders)
            throws InterruptedException, Stopped {
        syncs = new CountDownLatch(senders.size());
        for (MultifdSender sender : senders) {
            sender.submit(new MultifdSender.RoundJob(round, cursor));
        }
        awaitLatch(syncs);
    }

    private void awaitLatch(CountDownLatch latch) throws InterruptedException, Stopped {
        while (!latch.await(100, TimeUnit.MILLISECONDS)) {
            checkStopping();
        }
        checkStopping();
    }

    /** The blocks' CRC32Cs, folded from the page CRCs the senders recorded (every page was sent). */
    private int[] digests() {
        int[] digests = new int[blocks.size()];
        for (int i = 0; i < digests.length; i++) {
            digests[i] = handedOver.contains(i) ? 0 : pageDigests.get(i).blockCrc();
        }
        return digests;
    }

    private void readMain() {
        readFrames(this::handle, new MainChannelReader.End() {
            @Override
            public boolean peerMayClose() {
                return false;
            }

            @Override
            public Failure closedEarly() {
                // A TLS destination hangs up on a source without TLS before saying anything: hint at it.
                return new Failure.ByPeer("the destination closed the main channel"
                        + (accepted.getCount() > 0 ? " during the handshake" + tlsHint()
                        : " before the migration ended"));
            }

            @Override
            public Failure broke(IOException error) {
                // The same hang-up may arrive as a reset (the destination closed with this side's bytes unread).
                return accepted.getCount() > 0 ? new Failure.Transport("main channel: the connection to the destination"
                        + " failed during the handshake: " + error.getMessage() + tlsHint(), error) : null;
            }

            private String tlsHint() {
                return params().tls() == null ? " (if it runs with TLS, configure TLS on this side too)" : "";
            }
        });
    }

    /** ACCEPT, then RESULT once COMPLETE is out; returns false after RESULT (nothing more to read). */
    private boolean handle(Frame frame) throws ProtocolException {
        switch (frame.type()) {
            case ACCEPT -> accepted.countDown();
            case ROUND_RECEIVED -> {
                RoundReceived.decode(frame, awaitedReceipt);
                awaitedReceipt = 0;
                receipt.countDown();
            }
            case RESULT -> {
                if (phases.current() != SourcePhase.COMPLETE_SENT) {
                    throw new ProtocolException("main channel: RESULT from the destination before COMPLETE (the"
                            + " source has not sent everything yet)");
                }
                result = Result.decode(frame);
                resultNanos = System.nanoTime();
                resultArrived.countDown();
                return false;
            }
            default -> throw unexpected(frame);
        }
        return true;
    }

    @Override
    public void synced(int channel, int round, FlushResult flush) {
        if (flush == FlushResult.ALL_COPIED) {
            counters.dirtySyncMissedZeroCopy.incrementAndGet();
        }
        syncs.countDown();
    }

    @Override
    String stalled(long now) {
        long limit = params().progressTimeout().toNanos();
        for (MultifdSender sender : senders) {
            long since = sender.blockedSince();
            if (since != 0 && now - since > limit) {
                return "multifd channel " + sender.id() + " made no progress for " + format(params().progressTimeout())
                        + ": the destination does not read it (it may be overloaded, or answer heartbeats but not"
                        + " take the data)";
            }
        }
        return null;
    }

    @Override
    String setupTimeoutMessage() {
        if (accepted.getCount() > 0 && main() != null) {
            return "the destination did not accept the migration within " + format(params().setupTimeout());
        }
        // The TLS handshake's own deadline is the setup's: whichever fires first, the message says the same.
        return "could not connect to the destination " + SocketAddressText.of(destination)
                + (params().tls() == null ? "" : " and complete the TLS handshake") + " within "
                + format(params().setupTimeout()) + (params().tls() == null ? "" : ": the peer stalled or is slow");
    }

    @Override
    long mainBytes(MainChannel channel) {
        return channel.bytesWritten();
    }

    @Override
    ZeroCopyStats zeroCopyStats(List<ChannelStats> channels) {
        return ZeroCopyReport.of(plan, params(), channelCounters, channels);
    }

    /** {@return the migration's id} */
    public UUID migrationId() {
        return migrationId;
    }
}
