package migration.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The training run of the image build's AOT cache (JEP 483/515, see {@code image/pom.xml}); not a command of the
 * tool. Users run {@code multifd receive --into} and {@code multifd send --from} as two cold processes, and the
 * cache maps into each the classes that process would otherwise load and link, and the method profiles that let
 * the JIT compile the per-packet code early. A cache records one process, so this one runs, through
 * {@link Main#run} exactly as the tool's processes run them: a {@code receive --into} (new file) fed by a
 * {@code send --from}, a {@code receive --into --in-place} over the file it wrote, then {@code demo},
 * {@code demo --tls}, and the pair the bench's cold-ceiling rows start (its hidden {@code cold-ceiling} command). The
 * files live in a temporary directory in tmpfs where there is one, deleted at the end.
 */
public final class AotTraining {

    private static final long TIMEOUT_SECONDS = 600;

    private AotTraining() {
    }

    /**
     * Runs the training.
     *
     * @param args one argument: the size moved by each migration, e.g. {@code 512m}
     * @throws Exception if a command fails (exit code other than 0) or the files cannot be written; the image
     *                   build fails with it
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: AotTraining SIZE");
        }
        long size = ByteSize.parseSize(args[0]);
        Path shm = Path.of("/dev/shm");
        Path directory = Files.isDirectory(shm) && Files.isWritable(shm)
                ? Files.createTempDirectory(shm, "multifd-aot-training-")
                : Files.createTempDirectory("multifd-aot-training-");
        try {
            Path source = randomFile(directory.resolve("source"), size);
            Path into = directory.resolve("copy");
            transfer(List.of("receive", "--listen", "127.0.0.1:0", "--json"), List.of("send", "--channels", "2",
                    "--json"), source, into);
            transfer(List.of("receive", "--listen", "127.0.0.1:0", "--json", "--in-place"), List.of("send",
                    "--channels", "2", "--json"), source, into);
            if (Files.mismatch(source, into) != -1) {
                throw new IOException("the training's received file differs from its source");
            }
            check(List.of("demo", "--size", args[0]), run("demo", "--size", args[0]));
            check(List.of("demo", "--tls"), run("demo", "--tls", "--size", args[0]));
            // The bench's cold-ceiling rows start the tool as its cold rows do: their classes belong in the cache
            // too, or the ceiling pays for loading them and the cold rows look nearer to it than they are.
            transfer(List.of("cold-ceiling", "receive"), List.of("cold-ceiling", "send", "--channels", "2"), source,
                    into);
        } finally {
            delete(directory);
        }
        // The commands' threads have ended; exit like the tool does, which is when the cache is written.
        System.exit(0);
    }

    /**
     * One receiving command ({@code receive} with its options, or the bench's {@code cold-ceiling receive}) given
     * {@code --into}, fed by one sending command given {@code --to} and {@code --from}.
     */
    private static void transfer(List<String> receiving, List<String> sending, Path source, Path into)
            throws Exception {
        List<String> receive = new ArrayList<>(receiving);
        receive.addAll(List.of("--into", into.toString()));
        LineBuffer err = new LineBuffer();
        CompletableFuture<Integer> receiver = CompletableFuture.supplyAsync(
                () -> Main.run(receive.toArray(String[]::new), new PrintStream(new ByteArrayOutputStream(), true,
                        StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)),
                task -> Thread.ofPlatform().name("training-receive").start(task));
        String address = err.awaitLine("listening on ", receiver::isDone, TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .substring("listening on ".length()).strip();
        List<String> send = new ArrayList<>(sending);
        send.addAll(List.of("--to", address, "--from", source.toString()));
        check(send, run(send.toArray(String[]::new)));
        check(receive, result(receiver));
    }

    private static int run(String... args) {
        return Main.run(args, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    private static int result(CompletableFuture<Integer> command) throws Exception {
        try {
            return command.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IOException("the training's command failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("the training's command did not end within " + TIMEOUT_SECONDS + " s", e);
        }
    }

    private static void check(List<String> command, int exitCode) throws IOException {
        if (exitCode != 0) {
            throw new IOException("AOT training: multifd " + String.join(" ", command) + " exited with " + exitCode);
        }
    }

    private static Path randomFile(Path file, long size) throws IOException {
        SplittableRandom random = new SplittableRandom(22);
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (long written = 0; written < size; ) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), size - written));
                while (buffer.remaining() >= Long.BYTES) {
                    buffer.putLong(random.nextLong());
                }
                while (buffer.hasRemaining()) {
                    buffer.put((byte) random.nextInt());
                }
                buffer.flip();
                while (buffer.hasRemaining()) {
                    written += channel.write(buffer);
                }
            }
        }
        return file;
    }

    private static void delete(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
