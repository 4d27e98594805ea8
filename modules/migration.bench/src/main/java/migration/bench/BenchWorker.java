package migration.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
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
import migration.MigrationDestination;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationSource;
import migration.MigrationStats;
import migration.RamBlock;
import migration.RamBlockProvider;
import migration.ZeroCopyMode;

/**
 * One side of one configuration, run in its own process so that its CPU time is its own. A worker prepares
 * its memory, takes part in an unmeasured warm-up and then measures as many transfers as the runner asks for:
 * process CPU time, wall time and JIT compilation time over each, printed as one {@link SideReport} line.
 *
 * <p>The runner speaks to it in lines. Standard output: {@code READY <warm-up ports…>} (a destination, once
 * it listens for the warm-up; a source, once its warm-up is over), {@code SETTLED} (a destination after its
 * warm-up), {@code LISTENING <port>} (a destination ready for a measured transfer), {@code RESULT …} after each
 * one, and {@code ERROR <text>} on failure, after which it exits with status 1. Standard input:
 * {@code PREPARE} (a destination makes memory and listens), {@code GO} (a destination starts measuring) and
 * {@code GO <port>} (a source sends); the end of input ends the worker with status 0.
 *
 * <p>Every measured transfer into fresh memory gets memory of its own, never touched before and unmapped
 * after it ({@link RamBlock#anonymous}, which the destination knows to be zero and populates ahead of the receivers
 * unless {@code --prefault off} set {@value MigrationDestination#PREFAULT_PROPERTY} to {@code false} in this
 * process); pre-touched memory is populated once and reused.
 *
 * <p>The warm-up runs the same code over separate memory, so that the measurement sees the steady state of
 * a long migration rather than the JIT at work. It takes {@value #WARM_UP_PASSES} transfers: C2 compiles a
 * method called once per packet only after some 5,000 calls (HotSpot's {@code Tier4InvocationThreshold}), that
 * is 2.5 GiB of 512 KiB packets, and the end of a transfer takes branches no packet took (end of stream, the
 * migration's close), which throws the compiled code of the hottest methods away. The second pass compiles them
 * again, now with those branches in their profile, so that the measured transfers neither run profiled code
 * nor pay for compiling it.
 *
 * The passes' blocks all alias one chunk of memory ({@link #warmUpBlocks}), which the destination cannot take
 * for fresh.
 *
 * <p>Then come up to {@value #WARM_UP_TAIL} short transfers ({@link #tailTransfers}, {@link #tailBytes}) of the
 * measured shape: one block of the memory the measurement moves (fresh memory of their own for a fresh
 * destination, populated ahead as the measured transfer's is), as many connections and, under TLS, as many handshakes per transfer as a measured one. The
 * long passes make the per-packet code hot, but a transfer's start and end run once per transfer: its
 * handshakes (elliptic-curve and hash code, provider lookups), end of stream and close reach C2 only after
 * dozens of transfers, and code C2 compiles after the last warm-up transfer first runs in the first measured
 * one, where a speculation that fails then deoptimises it. The short transfers run those paths many times
 * before the measurement, so that these compilations and traps happen before it.
 */
public final class BenchWorker {

    /** The line that starts a measurement ({@code GO <port>} for a source). */
    static final String GO = "GO";
    /** The line that asks a destination to make memory for the next measured transfer and listen. */
    static final String PREPARE = "PREPARE";
    /** The prefix of the line a worker prints when its warm-up is under way (destination) or over (source). */
    static final String READY = "READY";
    /** The line a destination prints when its warm-up is over and the JIT has settled. */
    static final String SETTLED = "SETTLED";
    /** The prefix of the line a destination prints when it listens for a measured transfer. */
    static final String LISTENING = "LISTENING";
    /** The prefix of the line a worker prints when it failed. */
    static final String ERROR = "ERROR";

    private static final String BLOCK = "ram0";
    /** The warm-up moves its bytes through blocks of at most this size that share their memory. */
    static final long WARM_UP_CHUNK = 256L << 20;
    /** Transfers the warm-up is split into. */
    static final int WARM_UP_PASSES = 2;
    /** Short transfers of the measured shape after the warm-up passes (migration modes only). */
    static final int WARM_UP_TAIL = 128;
    /** The most each short transfer after the warm-up passes moves. */
    static final long WARM_UP_TAIL_BYTES = 4L << 20;

    private BenchWorker() {
    }

    /**
     * Runs a worker until its standard input ends.
     *
     * @param spec what to do
     * @param out  where the protocol lines go (standard output)
     * @return the exit status: 0 when every transfer asked for was measured, 1 on failure
     */
    public static int run(WorkerSpec spec, PrintWriter out) {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        // Start the management bean now, not inside the first measured window.
        CpuClock.compilationMillis();
        try (Arena arena = Arena.ofShared()) {
            switch (spec.role()) {
                case SOURCE -> source(spec, arena, in, out);
                case DESTINATION -> destination(spec, arena, in, out);
            }
            return 0;
        } catch (Exception | OutOfMemoryError e) {
            out.println(ERROR + " " + spec.role().label() + ": " + oneLine(e));
            out.flush();
            return 1;
        }
    }

    private static void source(WorkerSpec spec, Arena arena, BufferedReader in, PrintWriter out) throws Exception {
        MemorySegment memory = BenchMemory.source(spec.size(), arena);
        // Unmeasured warm-up: the same code paths, so that the measurement sees compiled code. The destination
        // lists the ports of the long passes first, then those of the short transfers of the measured shape.
        List<Integer> ports = spec.warmUpPorts();
        int passes = Math.min(ports.size(), WARM_UP_PASSES);
        for (int i = 0; i < ports.size(); i++) {
            send(spec, ports.get(i), i < passes ? warmUpBlocks(memory, spec.warmUp() / passes)
                    : List.of(RamBlock.of(BLOCK, memory.asSlice(0, tailBytes(spec.size())))));
        }
        if (!spec.warmUpPorts().isEmpty()) {
            settle();
        }
        print(out, READY);
        String command;
        while ((command = in.readLine()) != null) {
            int port = portOf(command.strip(), GO);
            Window window = Window.open();
            long[] zeroCopy = send(spec, port, List.of(RamBlock.of(BLOCK, memory)));
            print(out, window.close(spec.size(), zeroCopy[0], zeroCopy[1]).toLine());
        }
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
        try (MigrationSource source = MigrationSource.start(destination, blocks, parameters(spec))) {
            MigrationStats stats = source.await();
            return new long[] {stats.zeroCopy().sends(), stats.zeroCopy().copied()};
        }
    }

    private static void destination(WorkerSpec spec, Arena arena, BufferedReader in, PrintWriter out)
            throws Exception {
        Configuration c = spec.configuration();
        if (!c.prefault()) {
            System.setProperty(MigrationDestination.PREFAULT_PROPERTY, "false");
        }
        // Pre-touched memory is made once, before the warm-up (whose settling then absorbs what populating it
        // set off in the kernel); fresh memory once per transfer, in an arena of its own.
        MemorySegment preTouched = c.destination() == DestinationKind.PRE_TOUCHED
                ? BenchMemory.destination(spec.size(), c.destination(), c.hugePages(), arena) : null;
        int passes = spec.warmUp() == 0 ? 0 : WARM_UP_PASSES;
        List<RamBlock> warmUp = passes == 0 ? List.of() : warmUpBlocks(BenchMemory.destination(
                warmUpChunk(spec.size()), c.destination(), c.hugePages(), arena), spec.warmUp() / passes);
        try (Arena tail = Arena.ofShared()) {
            warmUp(spec, warmUp, passes, tailBlocks(spec, tailTransfers(spec.warmUp(), spec.size()), preTouched,
                    tail), out);
        }
        settled(out, passes > 0);
        String command;
        while ((command = in.readLine()) != null) {
            expect(command.strip(), PREPARE);
            try (Arena transfer = Arena.ofShared()) {
                RamBlock block = preTouched != null ? RamBlock.of(BLOCK, preTouched)
                        : RamBlock.anonymous(BLOCK, spec.size(), c.hugePages(), transfer);
                print(out, receive(spec, block, in, out).toLine());
            }
        }
    }

    /**
     * {@return the blocks of the short transfers after the warm-up passes, one list per transfer} Each is one
     * block like the measured transfer's: a slice of the pre-touched memory it uses, or fresh memory of its own.
     */
    private static List<List<RamBlock>> tailBlocks(WorkerSpec spec, int count, MemorySegment preTouched,
                                                   Arena arena) {
        Configuration c = spec.configuration();
        long bytes = tailBytes(spec.size());
        List<List<RamBlock>> transfers = new ArrayList<>();
        for (int i = 0; i < count && c.mode() != Mode.CEILING; i++) {
            transfers.add(List.of(preTouched != null ? RamBlock.of(BLOCK, preTouched.asSlice(0, bytes))
                    : RamBlock.anonymous(BLOCK, bytes, c.hugePages(), arena)));
        }
        return transfers;
    }

    /** {@return the bytes each short transfer after the warm-up passes moves} */
    static long tailBytes(long size) {
        return Math.min(size, WARM_UP_TAIL_BYTES);
    }

    /**
     * {@return how many short transfers follow the warm-up passes: {@link #WARM_UP_TAIL}, or fewer where they
     * would add more than a sixteenth to the warm-up's bytes (none for a tiny warm-up)}
     */
    static int tailTransfers(long warmUp, long size) {
        return (int) Math.min(WARM_UP_TAIL, warmUp / 16 / tailBytes(size));
    }

    /** Receives the warm-up passes, then the short transfers after them ({@code tail}, one list each). */
    private static void warmUp(WorkerSpec spec, List<RamBlock> warmUp, int passes, List<List<RamBlock>> tail,
                               PrintWriter out) throws Exception {
        Configuration c = spec.configuration();
        if (c.mode() == Mode.CEILING) {
            List<ServerSocketChannel> servers = new ArrayList<>();
            try {
                for (int i = 0; i < passes; i++) {
                    servers.add(CeilingWorker.listen());
                }
                print(out, READY + ports(servers.stream().map(BenchWorker::port).toList()));
                for (ServerSocketChannel server : servers) {
                    for (RamBlock block : warmUp) {
                        CeilingWorker.receive(server, block.memory(), c.channels(), false);
                    }
                }
            } finally {
                for (ServerSocketChannel server : servers) {
                    server.close();
                }
            }
            return;
        }
        // A destination each: the source sends the long passes, then the short transfers, one after the other.
        List<MigrationDestination> destinations = new ArrayList<>();
        try {
            for (int i = 0; i < passes; i++) {
                destinations.add(listen(warmUp, spec));
            }
            for (List<RamBlock> blocks : tail) {
                destinations.add(listen(blocks, spec));
            }
            print(out, READY + ports(destinations.stream().map(d -> d.localAddress().getPort()).toList()));
            for (MigrationDestination destination : destinations) {
                destination.await();
            }
        } finally {
            for (MigrationDestination destination : destinations) {
                destination.close();
            }
        }
    }

    /** Listens for one measured transfer into {@code block}, says where, and measures it from {@code GO}. */
    private static SideReport receive(WorkerSpec spec, RamBlock block, BufferedReader in, PrintWriter out)
            throws Exception {
        Configuration c = spec.configuration();
        if (c.mode() == Mode.CEILING) {
            ServerSocketChannel server = CeilingWorker.listen();
            try {
                print(out, LISTENING + " " + port(server));
                expect(in.readLine(), GO);
                Window window = Window.open();
                CeilingWorker.receive(server, block.memory(), c.channels(), false);
                return window.close(block.size(), 0, 0);
            } finally {
                server.close();
            }
        }
        try (MigrationDestination destination = listen(List.of(block), spec)) {
            print(out, LISTENING + " " + destination.localAddress().getPort());
            expect(in.readLine(), GO);
            Window window = Window.open();
            destination.await();
            return window.close(block.size(), 0, 0);
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

    private static MigrationDestination listen(List<RamBlock> blocks, WorkerSpec spec)
            throws MigrationException, IOException {
        return MigrationDestination.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                RamBlockProvider.fixed(blocks), parameters(spec));
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

    private static MigrationParameters parameters(WorkerSpec spec) throws IOException {
        Configuration c = spec.configuration();
        MigrationParameters parameters = MigrationParameters.defaults().withChannels(c.channels())
                .withProvider(c.mode().provider())
                .withZeroCopy(c.mode().zeroCopy() ? ZeroCopyMode.ON : ZeroCopyMode.OFF)
                .withSetupTimeout(Duration.ofSeconds(60)).withVerify(c.verify());
        return c.mode().tls()
                ? parameters.withTls(BenchCredentials.parameters(spec.credentials(), spec.role())) : parameters;
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
    private static void settled(PrintWriter out, boolean warmedUp) throws InterruptedException {
        if (warmedUp) {
            settle();
        }
        print(out, SETTLED);
    }

    private static void print(PrintWriter out, String line) {
        out.println(line);
        out.flush();
    }

    /** {@return " p1 p2 …"} */
    private static String ports(List<Integer> ports) {
        StringBuilder line = new StringBuilder();
        ports.forEach(p -> line.append(' ').append(p));
        return line.toString();
    }

    /** Checks that the runner said {@code expected}. */
    private static void expect(String line, String expected) throws IOException {
        if (line == null) {
            throw new IOException("the benchmark runner went away before saying " + expected);
        }
        if (!line.strip().equals(expected)) {
            throw new IOException("expected '" + expected + "' from the benchmark runner, but got '" + line + "'");
        }
    }

    /** {@return the port in a line {@code <command> <port>}} */
    static int portOf(String line, String command) throws IOException {
        String[] words = line.split(" ");
        if (words.length == 2 && words[0].equals(command)) {
            try {
                int port = Integer.parseInt(words[1]);
                if (port > 0 && port <= 65535) {
                    return port;
                }
            } catch (NumberFormatException e) {
                // Reported below.
            }
        }
        throw new IOException("expected '" + command + " <port>' from the benchmark runner, but got '" + line + "'");
    }

    static String oneLine(Throwable e) {
        String message = e instanceof MigrationException || e.getMessage() != null ? e.getMessage() : e.toString();
        return String.valueOf(message).replace('\n', ' ');
    }
}
