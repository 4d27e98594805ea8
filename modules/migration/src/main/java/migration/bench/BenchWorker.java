package migration.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationSource;
import migration.MigrationStats;
import migration.RamBlock;
import migration.RamBlockProvider;
import migration.ZeroCopyMode;
import migration.session.DestinationSession;

/**
 * One side of one configuration, run in its own process so that its CPU time is its own. It prepares its
 * memory and runs an unmeasured warm-up, then prints {@code READY <port> <warm-up ports…>}, waits for
 * {@code GO} on standard input, and then measures: process CPU time, wall time and JIT compilation time over
 * the transfer, printed as one {@link SideReport} line. A failure prints {@code ERROR <text>} and exits with
 * status 1.
 *
 * <p>The warm-up runs the same code over separate memory, so that the measurement sees the steady state of
 * a long migration rather than the JIT at work. It takes {@value #WARM_UP_PASSES} transfers: C2 compiles a
 * method called once per packet only after some 5,000 calls (HotSpot's {@code Tier4InvocationThreshold}), that
 * is 2.5 GiB of 512 KiB packets, and the end of a transfer takes branches no packet took (end of stream,
 * session close), which throws the compiled code of the hottest methods away. The second pass compiles them
 * again, now with those branches in their profile, so that the measured transfer neither runs profiled code
 * nor pays for compiling it.
 */
public final class BenchWorker {

    /** The line that starts the measurement. */
    static final String GO = "GO";
    /** The prefix of the line a worker prints when it is ready. */
    static final String READY = "READY";
    /** The line a destination prints when its warm-up is over and the JIT has settled. */
    static final String SETTLED = "SETTLED";
    /** The prefix of the line a worker prints when it failed. */
    static final String ERROR = "ERROR";

    private static final String BLOCK = "ram0";
    /** The warm-up moves its bytes through blocks of at most this size that share their memory. */
    static final long WARM_UP_CHUNK = 256L << 20;
    /** Transfers the warm-up is split into. */
    static final int WARM_UP_PASSES = 2;

    private BenchWorker() {
    }

    /**
     * Runs a worker.
     *
     * @param spec what to do
     * @param out  where the protocol lines go (standard output)
     * @return the exit status: 0 when measured, 1 on failure
     */
    public static int run(WorkerSpec spec, PrintStream out) {
        try (Arena arena = Arena.ofShared()) {
            SideReport report = switch (spec.role()) {
                case SOURCE -> source(spec, arena, out);
                case DESTINATION -> destination(spec, arena, out);
            };
            out.println(report.toLine());
            out.flush();
            return 0;
        } catch (Exception | OutOfMemoryError e) {
            out.println(ERROR + " " + spec.role().label() + ": " + oneLine(e));
            out.flush();
            return 1;
        }
    }

    private static SideReport source(WorkerSpec spec, Arena arena, PrintStream out) throws Exception {
        MemorySegment memory = BenchMemory.source(spec.size(), arena);
        // Unmeasured warm-up: the same code paths, so that the measurement sees compiled code.
        for (int port : spec.warmUpPorts()) {
            send(spec, port, warmUpBlocks(memory, spec.warmUp() / spec.warmUpPorts().size()));
        }
        if (!spec.warmUpPorts().isEmpty()) {
            settle();
        }
        announce(out, 0, List.of());
        awaitGo();
        Window window = Window.open();
        long[] zeroCopy = send(spec, spec.port(), List.of(RamBlock.of(BLOCK, memory)));
        return window.close(spec.size(), zeroCopy[0], zeroCopy[1]);
    }

    /** Sends the blocks; returns zero-copy sends and copied completions. */
    private static long[] send(WorkerSpec spec, int port, List<RamBlock> blocks) throws Exception {
        Configuration c = spec.configuration();
        if (c.mode() == Mode.CEILING) {
            for (RamBlock block : blocks) {
                CeilingWorker.send(port, block.memory(), c.channels());
            }
            return new long[2];
        }
        InetSocketAddress destination = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try (MigrationSource source = MigrationSource.start(destination, blocks, parameters(c))) {
            MigrationStats stats = source.await();
            return new long[] {stats.zeroCopy().sends(), stats.zeroCopy().copied()};
        }
    }

    private static SideReport destination(WorkerSpec spec, Arena arena, PrintStream out) throws Exception {
        Configuration c = spec.configuration();
        MemorySegment memory = BenchMemory.destination(spec.size(), c.destination(), c.hugePages(), arena);
        int passes = spec.warmUp() == 0 ? 0 : WARM_UP_PASSES;
        List<RamBlock> warmUp = passes == 0 ? List.of() : warmUpBlocks(BenchMemory.destination(
                warmUpChunk(spec.size()), c.destination(), c.hugePages(), arena), spec.warmUp() / passes);
        if (c.mode() == Mode.CEILING) {
            List<ServerSocketChannel> warmUpServers = new ArrayList<>();
            for (int i = 0; i < passes; i++) {
                warmUpServers.add(CeilingWorker.listen());
            }
            ServerSocketChannel server = CeilingWorker.listen();
            announce(out, port(server), warmUpServers.stream().map(BenchWorker::port).toList());
            for (ServerSocketChannel warmUpServer : warmUpServers) {
                for (RamBlock block : warmUp) {
                    CeilingWorker.receive(warmUpServer, block.memory(), c.channels(), false);
                }
                warmUpServer.close();
            }
            settled(out, passes > 0);
            awaitGo();
            Window window = Window.open();
            CeilingWorker.receive(server, memory, c.channels(), true);
            return window.close(spec.size(), 0, 0);
        }
        boolean fresh = c.destination() == DestinationKind.FRESH;
        List<DestinationSession> warmUpSessions = new ArrayList<>();
        DestinationSession session = null;
        try {
            for (int i = 0; i < passes; i++) {
                warmUpSessions.add(listen(warmUp, fresh, c));
            }
            session = listen(List.of(RamBlock.of(BLOCK, memory)), fresh, c);
            announce(out, session.localAddress().getPort(),
                    warmUpSessions.stream().map(s -> s.localAddress().getPort()).toList());
            for (DestinationSession warmUpSession : warmUpSessions) {
                warmUpSession.awaitCompletion();
            }
            settled(out, passes > 0);
            awaitGo();
            Window window = Window.open();
            session.awaitCompletion();
            return window.close(spec.size(), 0, 0);
        } finally {
            for (DestinationSession warmUpSession : warmUpSessions) {
                warmUpSession.cancel();
                warmUpSession.awaitEnd();
            }
            if (session != null) {
                session.cancel();
                session.awaitEnd();
            }
        }
    }

    /** The measured window: process CPU time, wall time and JIT compilation time from open to close. */
    private record Window(long cpu, long start, long jit) {

        static Window open() {
            return new Window(CpuClock.processCpuNanos(), System.nanoTime(), CpuClock.compilationMillis());
        }

        SideReport close(long bytes, long zeroCopySends, long zeroCopyCopied) {
            long wall = System.nanoTime() - start;
            return new SideReport(CpuClock.processCpuNanos() - cpu, wall, bytes, zeroCopySends, zeroCopyCopied,
                    CpuClock.compilationMillis() - jit);
        }
    }

    private static DestinationSession listen(List<RamBlock> blocks, boolean fresh, Configuration c)
            throws MigrationException {
        return DestinationSession.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                RamBlockProvider.fixed(blocks), block -> fresh, c.prefault(), parameters(c), null);
    }

    /** {@return the memory one warm-up block covers} */
    static long warmUpChunk(long size) {
        return Math.min(size, WARM_UP_CHUNK);
    }

    /**
     * {@return blocks {@code warm-up-0}, {@code warm-up-1}, … that all alias the first {@link #warmUpChunk} bytes
     * of {@code memory}, together {@code total} bytes (rounded up to whole chunks)} One warm-up migration then
     * moves as many packets as a large one without needing as much memory.
     */
    static List<RamBlock> warmUpBlocks(MemorySegment memory, long total) {
        MemorySegment chunk = memory.asSlice(0, warmUpChunk(memory.byteSize()));
        int count = (int) Math.min(1024, (total + chunk.byteSize() - 1) / chunk.byteSize());
        List<RamBlock> blocks = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            blocks.add(RamBlock.of("warm-up-" + i, chunk));
        }
        return blocks;
    }

    private static int port(ServerSocketChannel server) {
        try {
            return ((InetSocketAddress) server.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static MigrationParameters parameters(Configuration c) {
        return MigrationParameters.defaults().withChannels(c.channels()).withProvider(c.mode().provider())
                .withZeroCopy(c.mode().zeroCopy() ? ZeroCopyMode.ON : ZeroCopyMode.OFF)
                .withSetupTimeout(Duration.ofSeconds(60)).withVerify(c.verify());
    }

    /**
     * Waits until this process is idle: the JIT compiles in the background, and compilations queued by the
     * warm-up would otherwise run, and be counted, in the measured window. Idle means under 5% of one CPU
     * over 200 ms; gives up after 10 s.
     */
    static void settle() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        long before = CpuClock.processCpuNanos();
        while (System.nanoTime() < deadline) {
            Thread.sleep(200);
            long now = CpuClock.processCpuNanos();
            if (now - before < 10_000_000L) {
                return;
            }
            before = now;
        }
    }

    /** Settles after a warm-up and says so. */
    private static void settled(PrintStream out, boolean warmedUp) throws InterruptedException {
        if (warmedUp) {
            settle();
        }
        out.println(SETTLED);
        out.flush();
    }

    /** Announces readiness: the measured port and the warm-up ports (0 and none for a source). */
    private static void announce(PrintStream out, int port, List<Integer> warmUpPorts) {
        StringBuilder line = new StringBuilder(READY).append(' ').append(port);
        warmUpPorts.forEach(p -> line.append(' ').append(p));
        out.println(line);
        out.flush();
    }

    /** Blocks until the runner says go. */
    private static void awaitGo() throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            if (line.strip().equals(GO)) {
                return;
            }
        }
        throw new IOException("the benchmark runner went away before saying " + GO);
    }

    static String oneLine(Throwable e) {
        String message = e instanceof MigrationException || e.getMessage() != null ? e.getMessage() : e.toString();
        return String.valueOf(message).replace('\n', ' ');
    }
}
