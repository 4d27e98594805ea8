package migration.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Measures the path users take: one {@code multifd receive --into FILE} and one {@code multifd send --from FILE},
 * each a fresh process of the tool (the image's {@code bin/multifd} launcher where there is one), with no
 * warm-up, from a file of incompressible bytes into a file that is absent (fresh) or exists with every page
 * written (pre-touched), the latter with the receiver's default (a temporary file renamed onto it) or
 * {@code --in-place}; under TLS both are given the run's throwaway credentials. The cold ceiling's rows
 * ({@link Mode#COLD_CEILING}) start the bench's {@code multifd bench cold-ceiling receive} and {@code send} the
 * same way over the same files ({@link ColdCeiling}). Each process is measured whole by the shell that waits for
 * it ({@link ProcessUsage}), and before and inside the migration window from its CPU time followed while it runs
 * ({@link CpuTimeline}). The files live in one directory, by default {@code /dev/shm} (tmpfs), and are deleted by
 * {@link #close()}, or when the JVM exits.
 */
final class ColdRunner implements AutoCloseable {

    private static final Pattern TOTAL_TIME = Pattern.compile("\"total-time\":(\\d+)");
    private static final int BUFFER = 1 << 20;

    private final long size;
    private final Path source;
    private final Path destination;
    private final long timeoutSeconds;
    private final List<String> tool;
    private boolean sourceWritten;

    /**
     * @param size      bytes of the file moved
     * @param directory where the source and destination files go
     */
    ColdRunner(long size, Path directory) {
        this(size, directory, tool(), 120 + size / (50L << 20));
    }

    /**
     * @param size           bytes of the file moved
     * @param directory      where the source and destination files go
     * @param tool           the command that starts the tool, as {@link #tool()} gives it
     * @param timeoutSeconds how long each process may take to listen, and to end
     */
    ColdRunner(long size, Path directory, List<String> tool, long timeoutSeconds) {
        this.size = size;
        this.source = directory.resolve("multifd-bench-source");
        this.destination = directory.resolve("multifd-bench-destination");
        this.timeoutSeconds = timeoutSeconds;
        this.tool = List.copyOf(tool);
        // Two --size files in tmpfs are memory: gone with the run even when it is interrupted (SIGTERM, Ctrl-C).
        source.toFile().deleteOnExit();
        destination.toFile().deleteOnExit();
    }

    /** {@return the default directory: tmpfs {@code /dev/shm} where it exists, else the temporary directory} */
    static Path defaultDirectory() {
        Path shm = Path.of("/dev/shm");
        return Files.isDirectory(shm) && Files.isWritable(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /**
     * {@return the command that starts the tool: the image's launcher where this runtime is the image, else
     * this runtime's java with the module path it was started with}
     */
    static List<String> tool() {
        Path launcher = Path.of(System.getProperty("java.home"), "bin", "multifd");
        if (Files.isExecutable(launcher)) {
            return List.of(launcher.toString());
        }
        List<String> command = new ArrayList<>(WorkerProcess.java());
        command.add("-m");
        // IMPORTANT: the tool's main module and class, as the image's launcher starts them (image/src/launcher).
        command.add("migration.cli/migration.cli.Main");
        return command;
    }

    /**
     * Measures one configuration {@code repeat} times.
     *
     * @param configuration what to measure
     * @param credentials   the run's TLS credentials; only read for a TLS configuration
     * @param repeat        runs
     * @param progress      where a line per run goes
     * @return the result, skipped with the reason if a run failed
     */
    ColdResult measure(ColdConfiguration configuration, BenchCredentials credentials, int repeat,
                       PrintWriter progress) {
        List<ColdResult.Run> runs = new ArrayList<>();
        try {
            writeSource();
            for (int i = 0; i < repeat; i++) {
                prepareDestination(configuration.destination());
                ColdResult.Run run = transfer(configuration, credentials);
                progress.println(String.format(Locale.ROOT, "  cold run %d: total-time %.3f s, send process %.3f s,"
                                + " CPU-s src %.2f dst %.2f (in the migration window %.2f and %.2f), minor faults src"
                                + " %d dst %d", i + 1, run.totalSeconds(), run.wallSeconds(), run.cpuSecondsSrc(),
                        run.cpuSecondsDst(), run.window().migrationSrc(), run.window().migrationDst(), run.faultsSrc(),
                        run.faultsDst()));
                runs.add(run);
            }
        } catch (IOException | RuntimeException e) {
            return ColdResult.skipped(configuration, "failed: " + BenchWorker.oneLine(e));
        } finally {
            removeTemporaries();
        }
        return new ColdResult(configuration, size, runs, null);
    }

    private ColdResult.Run transfer(ColdConfiguration configuration, BenchCredentials credentials)
            throws IOException {
        // The ceiling's processes are the bench's own, started through the tool's launcher as the cold rows' are:
        // the same JVM options and AOT cache.
        List<String> command = configuration.mode() == Mode.COLD_CEILING ? List.of("bench", ColdCeilingCommand.NAME)
                : List.of();
        String name = "multifd " + (command.isEmpty() ? "" : String.join(" ", command) + " ");
        List<String> receive = new ArrayList<>(tool);
        receive.addAll(command);
        receive.addAll(List.of("receive", "--into", destination.toString()));
        if (command.isEmpty()) {
            receive.addAll(List.of("--listen", "127.0.0.1:0", "--json"));
        }
        if (configuration.inPlace()) {
            receive.add("--in-place");
        }
        if (configuration.tls()) {
            receive.addAll(credentials.toolOptions(WorkerSpec.Role.DESTINATION));
        }
        try (ToolProcess receiver = ToolProcess.start(receive, name + "receive")) {
            String address = receiver.awaitError("listening on ", timeoutSeconds).strip();
            List<String> send = new ArrayList<>(tool);
            send.addAll(command);
            send.addAll(List.of("send", "--to", address, "--from", source.toString(), "--channels",
                    String.valueOf(configuration.channels())));
            if (command.isEmpty()) {
                send.add("--json");
            }
            if (configuration.tls()) {
                send.addAll(credentials.toolOptions(WorkerSpec.Role.SOURCE));
            }
            long start = System.nanoTime();
            try (ToolProcess sender = ToolProcess.start(send, name + "send")) {
                List<String> sent = sender.awaitSuccess(timeoutSeconds);
                double wall = (System.nanoTime() - start) / 1e9;
                List<String> received = receiver.awaitSuccess(timeoutSeconds);
                ProcessUsage src = usage(sent, name + "send");
                ProcessUsage dst = usage(received, name + "receive");
                long totalMillis = totalTime(sent);
                return new ColdResult.Run(totalMillis / 1000.0, wall, src.cpuNanos() / 1e9, dst.cpuNanos() / 1e9,
                        src.minorFaults(), dst.minorFaults(), window(sender, src, receiver, dst, totalMillis));
            }
        }
    }

    /**
     * {@return both processes' CPU before and inside the migration window} The window is the sender's total-time
     * (from just before it started the migration until the destination's verdict), which ended when the sender
     * printed its document; the receiver's window is the same stretch of time, from the source's first connection
     * to the verdict it gave.
     */
    private static ColdResult.Window window(ToolProcess sender, ProcessUsage src, ToolProcess receiver,
                                            ProcessUsage dst, long totalMillis) throws IOException {
        long end = sender.outputNanos();
        long begin = end - totalMillis * 1_000_000;
        double srcBefore = sender.cpuSecondsAt(begin, src.ticksPerSecond());
        double dstBefore = receiver.cpuSecondsAt(begin, dst.ticksPerSecond());
        return new ColdResult.Window(srcBefore, dstBefore, sender.cpuSecondsAt(end, src.ticksPerSecond()) - srcBefore,
                receiver.cpuSecondsAt(end, dst.ticksPerSecond()) - dstBefore);
    }

    /** {@return the {@code total-time} of the tool's JSON, in milliseconds} */
    static long totalTime(List<String> output) throws IOException {
        Matcher m = TOTAL_TIME.matcher(String.join("\n", output));
        if (!m.find()) {
            throw new IOException("multifd send printed no total-time: " + String.join(" / ", output));
        }
        return Long.parseLong(m.group(1));
    }

    private static ProcessUsage usage(List<String> output, String what) throws IOException {
        if (output.isEmpty() || !output.getLast().startsWith(ProcessUsage.PREFIX + " ")) {
            throw new IOException(what + " ended without its usage line: " + String.join(" / ", output));
        }
        return ProcessUsage.parse(output.getLast());
    }

    /** Writes the source file once. */
    private void writeSource() throws IOException {
        if (!sourceWritten) {
            writeRandom(source, size, 14);
            sourceWritten = true;
        }
    }

    /**
     * Writes a file of {@code size} bytes from a seeded generator, which no compressor shrinks.
     *
     * @param file the file, created or replaced
     * @param size its size
     * @param seed the generator's seed
     * @throws IOException if it cannot be written
     */
    static void writeRandom(Path file, long size, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        write(file, size, buffer -> {
            while (buffer.remaining() >= Long.BYTES) {
                buffer.putLong(random.nextLong());
            }
            while (buffer.hasRemaining()) {
                buffer.put((byte) random.nextInt());
            }
        });
    }

    /** Fresh: no file. Pre-touched: a file of the right size whose every page was written. */
    private void prepareDestination(DestinationKind kind) throws IOException {
        Files.deleteIfExists(destination);
        if (kind == DestinationKind.PRE_TOUCHED) {
            write(destination, size, buffer -> buffer.position(buffer.limit()));
        }
    }

    private interface Filler {
        void fill(ByteBuffer buffer);
    }

    private static void write(Path file, long size, Filler filler) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (long written = 0; written < size; ) {
                buffer.clear().limit((int) Math.min(BUFFER, size - written));
                filler.fill(buffer);
                buffer.flip();
                while (buffer.hasRemaining()) {
                    written += channel.write(buffer);
                }
            }
        }
    }

    /**
     * Deletes the temporary files a receiver that was killed (a run that failed or timed out) left next to the
     * destination: {@code .NAME.<random>.partial}, as {@code receive} and the cold ceiling name them.
     */
    private void removeTemporaries() {
        String prefix = "." + destination.getFileName() + ".";
        try (var files = Files.newDirectoryStream(destination.getParent(),
                entry -> entry.getFileName().toString().startsWith(prefix)
                        && entry.getFileName().toString().endsWith(".partial"))) {
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // Left behind in a temporary directory; nothing to do about it here.
        }
    }

    /** Deletes both files, and any temporary file a killed receiver left. */
    @Override
    public void close() {
        for (Path file : List.of(source, destination)) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // Left behind in a temporary directory; nothing to do about it here.
            }
        }
        removeTemporaries();
    }
}
