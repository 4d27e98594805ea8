package migration.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.spi.ToolProvider;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code multifd bench aot-training SIZE}: the training run of the image build's AOT cache (JEP 483/515, see
 * {@code image/pom.xml}), not in {@code multifd bench --help}. Users run {@code multifd receive --into} and
 * {@code multifd send --from} as two cold processes, and the cache maps into each the classes that process would
 * otherwise load and link, and the method profiles that let the JIT compile the per-packet code early. A cache
 * records one process, and is used by the processes of the same main module, so the image build starts this one
 * through the tool's launcher main class ({@code -m migration.cli/migration.cli.Main bench aot-training SIZE}),
 * and it runs the tool's commands in this process through the tool's {@link ToolProvider}, as its processes run
 * them: a {@code receive --into} (new file) fed by a {@code send --from}, a {@code receive --into --in-place} over
 * the file it wrote, then {@code demo}, {@code demo --tls}, and the pair the bench's cold-ceiling rows start
 * ({@code bench cold-ceiling}). The files live in a temporary directory in tmpfs where there is one, deleted at
 * the end. The image build fails when a command fails.
 */
@Command(name = "aot-training", mixinStandardHelpOptions = true, versionProvider = BenchTool.Version.class,
        description = "Internal to the image build: the run its AOT cache records.")
final class AotTraining implements Callable<Integer> {

    /** The first argument that names this command ({@link BenchTool}). */
    static final String NAME = "aot-training";

    private static final long TIMEOUT_SECONDS = 600;
    private static final String LISTENING = "listening on ";

    @Parameters(paramLabel = "SIZE", description = "The size each migration moves, e.g. 512m.")
    String size;

    @Override
    public Integer call() throws Exception {
        long bytes = BenchArguments.parseSize(size);
        ToolProvider multifd = ToolProvider.findFirst("multifd").orElseThrow(() -> new IOException(
                "the multifd tool (module migration.cli) is not in this runtime"));
        Path shm = Path.of("/dev/shm");
        Path directory = Files.isDirectory(shm) && Files.isWritable(shm)
                ? Files.createTempDirectory(shm, "multifd-aot-training-")
                : Files.createTempDirectory("multifd-aot-training-");
        try {
            Path source = directory.resolve("source");
            ColdRunner.writeRandom(source, bytes, 22);
            Path into = directory.resolve("copy");
            transfer(multifd, List.of("receive", "--listen", "127.0.0.1:0", "--json"), List.of("send", "--channels",
                    "2", "--json"), source, into);
            transfer(multifd, List.of("receive", "--listen", "127.0.0.1:0", "--json", "--in-place"), List.of("send",
                    "--channels", "2", "--json"), source, into);
            if (Files.mismatch(source, into) != -1) {
                throw new IOException("the training's received file differs from its source");
            }
            run(multifd, "demo", "--size", size);
            run(multifd, "demo", "--tls", "--size", size);
            // The bench's cold-ceiling rows start the tool as its cold rows do: their classes belong in the cache
            // too, or the ceiling pays for loading them and the cold rows look nearer to it than they are.
            transfer(multifd, List.of("bench", ColdCeilingCommand.NAME, "receive"), List.of("bench",
                    ColdCeilingCommand.NAME, "send", "--channels", "2"), source, into);
        } finally {
            delete(directory);
        }
        // The commands' threads have ended; the launcher's main class exits as the tool does, which is when the
        // cache is written.
        return 0;
    }

    /**
     * One receiving command ({@code receive} with its options, or the bench's {@code cold-ceiling receive}) given
     * {@code --into}, fed by one sending command given {@code --to} and {@code --from}.
     */
    private static void transfer(ToolProvider multifd, List<String> receiving, List<String> sending, Path source,
                                 Path into) throws Exception {
        List<String> receive = new ArrayList<>(receiving);
        receive.addAll(List.of("--into", into.toString()));
        PipedInputStream errIn = new PipedInputStream(1 << 16);
        PrintStream err = new PrintStream(new PipedOutputStream(errIn), true, StandardCharsets.UTF_8);
        CompletableFuture<Integer> receiver = CompletableFuture.supplyAsync(() -> {
            try (err) {
                return multifd.run(discarded(), err, receive.toArray(String[]::new));
            }
        }, task -> Thread.ofPlatform().name("training-receive").start(task));
        LineQueue lines = LineQueue.reading(errIn, "training-receive-err");
        String address = lines.await(LISTENING, TIMEOUT_SECONDS, "the training's " + receive.getFirst()).strip();
        List<String> send = new ArrayList<>(sending);
        send.addAll(List.of("--to", address, "--from", source.toString()));
        run(multifd, send.toArray(String[]::new));
        check(receive, result(receiver));
    }

    private static void run(ToolProvider multifd, String... args) throws IOException {
        check(List.of(args), multifd.run(discarded(), discarded(), args));
    }

    private static PrintStream discarded() {
        return new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
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
            throw new IOException("multifd " + String.join(" ", command) + " exited with " + exitCode);
        }
    }

    private static void delete(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }
}
