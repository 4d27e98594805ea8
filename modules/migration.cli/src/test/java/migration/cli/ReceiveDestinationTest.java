package migration.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationSource;
import migration.RamBlock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import testkit.JsonReader;

/**
 * {@code receive} checks its destination before it listens, and {@code --into FILE} changes FILE only when a
 * migration succeeded.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReceiveDestinationTest {

    private static final byte[] OLD = "the old content".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @BeforeEach
    @AfterEach
    void freshShutdownState() {
        Shutdown.use(new Shutdown());
    }

    @Test
    void aMissingDirectoryIsRefusedBeforeListening() {
        Path into = dir.resolve("absent/copy.img");

        Run run = Run.of("receive", "--listen", "127.0.0.1:0", "--into", into.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly("multifd receive: cannot receive into " + into
                + ": no such directory: " + dir.resolve("absent"));
    }

    @Test
    void aDirectoryIsRefusedBeforeListening() throws IOException {
        Path into = Files.createDirectory(dir.resolve("sub"));

        Run run = Run.of("receive", "--listen", "127.0.0.1:0", "--into", into.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).containsExactly("multifd receive: cannot receive into " + into + ": " + into
                + " is a directory");
    }

    @Test
    void theNullDeviceIsRefusedBeforeListening() {
        assumeTrue(Files.exists(Path.of("/dev/null")), "no /dev/null here");

        Run run = Run.of("receive", "--listen", "127.0.0.1:0", "--into", "/dev/null");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).singleElement().asString()
                .startsWith("multifd receive: cannot receive into /dev/null: /dev/null is not a regular file");
    }

    @Test
    void aFifoIsRefusedBeforeListening() throws Exception {
        Path fifo = dir.resolve("fifo");
        assumeTrue(mkfifo(fifo), "mkfifo is not available here");

        Run run = Run.of("receive", "--listen", "127.0.0.1:0", "--into", fifo.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).singleElement().asString()
                .startsWith("multifd receive: cannot receive into " + fifo + ": " + fifo + " is not a regular file");
    }

    @Test
    void aSizeBeyondTheMachinesMemoryIsRefusedBeforeListening() {
        Run run = Run.of("receive", "--listen", "127.0.0.1:0", "--size", "100t");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.errLines()).singleElement().asString()
                .startsWith("multifd receive: cannot receive --size 100.00 TiB: ")
                .doesNotContain("OutOfMemoryError", "internal error");
    }

    @Test
    void aCancelledReceiveRemovesItsTemporaryFileAndLeavesTheExistingFile() throws Exception {
        Path into = Files.write(dir.resolve("copy.img"), OLD);
        RunningCommand receiver = RunningCommand.start("receive", "--listen", "127.0.0.1:0", "--into",
                into.toString(), "--json");
        Run received;
        // A source of the library, not the tool: the stop below is for the receiving process only.
        try (Arena arena = Arena.ofShared();
             MigrationSource source = MigrationSource.start(address(receiver), List.of(RamBlock.anonymous("ram0",
                     32 << 20, arena)), MigrationParameters.defaults().withProvider("copy")
                     .withMaxBandwidth(2 << 20))) {
            awaitTemporaryFile(into);

            Shutdown.current().request();
            received = receiver.result();
            org.assertj.core.api.Assertions.catchThrowable(source::await);
        }

        assertThat(received.exitCode()).isEqualTo(1);
        assertThat(JsonReader.object(received.out())).containsEntry("status", "cancelled");
        assertThat(received.errLines()).anySatisfy(line -> assertThat(line)
                .startsWith("multifd receive: removed the incomplete copy " + dir.resolve(".copy.img."))
                .endsWith("; " + into + " was left as it was"));
        assertThat(received.errLines()).last().asString().startsWith("multifd receive: stopped by Ctrl-C or SIGTERM: ");
        assertThat(Files.readAllBytes(into)).containsExactly(OLD);
        assertThat(filesIn(dir)).containsExactly(into);
    }

    @Test
    void aStrangersRefusedMigrationLeavesTheExistingFileUntouched() throws Exception {
        Path into = Files.write(dir.resolve("copy.img"), OLD);
        RunningCommand receiver = RunningCommand.start("receive", "--listen", "127.0.0.1:0", "--into",
                into.toString());
        try (Arena arena = Arena.ofShared();
             MigrationSource stranger = MigrationSource.start(address(receiver), List.of(RamBlock.anonymous("a", 1 << 20, arena),
                     RamBlock.anonymous("b", 4096, arena)), MigrationParameters.defaults().withProvider("copy"))) {
            assertThat(org.assertj.core.api.Assertions.catchThrowable(stranger::await))
                    .isInstanceOf(MigrationException.class);
        }
        Run received = receiver.result();

        assertThat(received.exitCode()).isEqualTo(1);
        assertThat(received.errLines()).last().asString().contains("takes a single ram block");
        assertThat(received.errLines()).anySatisfy(line -> assertThat(line)
                .startsWith("multifd receive: removed the incomplete copy "));
        assertThat(Files.readAllBytes(into)).containsExactly(OLD);
        assertThat(filesIn(dir)).containsExactly(into);
    }

    @Test
    void aSucceededReceiveReplacesTheFileAndLeavesNothingElse() throws Exception {
        Path into = Files.write(dir.resolve("copy.img"), OLD);
        Path source = CommandsTest.randomFile(dir.resolve("source.bin"), (1 << 20) + 5);

        sendInto(source, into);

        assertThat(Files.mismatch(source, into)).isEqualTo(-1);
        assertThat(filesIn(dir)).containsExactlyInAnyOrder(into, source);
    }

    @Test
    void anInPlaceReceiveWritesTheExistingFileWhereItIs() throws Exception {
        int size = (1 << 20) + 5;
        Path into = Files.write(dir.resolve("copy.img"), new byte[size]);
        Object inode = Files.getAttribute(into, "unix:ino");
        Path source = CommandsTest.randomFile(dir.resolve("source.bin"), size);

        Run received = sendInPlace(source, into);

        assertThat(Files.mismatch(source, into)).isEqualTo(-1);
        assertThat(Files.getAttribute(into, "unix:ino")).as("written in place, not replaced").isEqualTo(inode);
        assertThat(received.errLines()).noneMatch(line -> line.contains("not in place"));
        assertThat(filesIn(dir)).containsExactlyInAnyOrder(into, source);
    }

    @Test
    void anInPlaceReceiveIntoAFileOfAnotherSizeSaysSoAndReplacesItAtomically() throws Exception {
        Path into = Files.write(dir.resolve("copy.img"), OLD);
        Path source = CommandsTest.randomFile(dir.resolve("source.bin"), 8192);

        Run received = sendInPlace(source, into);

        assertThat(received.errLines()).contains("multifd receive: not in place: " + into + " holds " + OLD.length
                + " bytes and the source's block 8192; received through a temporary file");
        assertThat(Files.mismatch(source, into)).isEqualTo(-1);
        assertThat(filesIn(dir)).containsExactlyInAnyOrder(into, source);
    }

    @Test
    void aCancelledInPlaceReceiveSaysTheFileMayBePartlyOverwritten() throws Exception {
        int size = 32 << 20;
        Path into = Files.write(dir.resolve("copy.img"), new byte[size]);
        RunningCommand receiver = RunningCommand.start("receive", "--listen", "127.0.0.1:0", "--into",
                into.toString(), "--in-place", "--json");
        Run received;
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", size, arena);
            block.memory().fill((byte) 7);
            MigrationSource source = MigrationSource.start(address(receiver), List.of(block),
                    MigrationParameters.defaults().withProvider("copy").withMaxBandwidth(2 << 20));
            awaitFirstByte(into, (byte) 7);
            Shutdown.current().request();
            received = receiver.result();
            org.assertj.core.api.Assertions.catchThrowable(source::await);
            source.close();
        }

        assertThat(received.exitCode()).isEqualTo(1);
        assertThat(JsonReader.object(received.out())).containsEntry("status", "cancelled");
        assertThat(received.errLines()).contains("multifd receive: " + into + " may be partly overwritten"
                + " (--in-place): the migration did not succeed after it started writing there");
        assertThat(Files.size(into)).isEqualTo(size);
        assertThat(filesIn(dir)).containsExactly(into);
    }

    @Test
    void aStaleTemporaryFileIsRemovedBeforeListeningAndNamedWithItsSize() throws Exception {
        Path into = Files.write(dir.resolve("copy.img"), OLD);
        Path stale = Files.write(dir.resolve(".copy.img.0123abcd.partial"), new byte[3 << 20]);
        Path lookalike = Files.write(dir.resolve(".copy.img.0123abcd.partial.keep"), OLD);
        Path source = CommandsTest.randomFile(dir.resolve("source.bin"), 8192);

        Run received = sendInto(source, into);

        assertThat(received.errLines().getFirst()).isEqualTo("multifd receive: removed " + stale
                + " (3.00 MiB), left by an earlier receive into " + into + " that did not end");
        assertThat(received.errLines().get(1)).startsWith("listening on ");
        assertThat(Files.mismatch(source, into)).isEqualTo(-1);
        assertThat(filesIn(dir)).containsExactlyInAnyOrder(into, source, lookalike);
    }

    @Test
    void aSecondReceiveIntoTheSameFileIsRefusedBeforeListeningAndTheFirstStillSucceeds() throws Exception {
        Path into = Files.write(dir.resolve("copy.img"), OLD);
        Path source = CommandsTest.randomFile(dir.resolve("source.bin"), 8192);
        RunningCommand first = RunningCommand.start("receive", "--listen", "127.0.0.1:0", "--into",
                into.toString());
        String address = first.address();
        Path temporary = temporaryFile(into);

        Run second = Run.of("receive", "--listen", "127.0.0.1:0", "--into", into.toString());
        Run sent = Run.of("send", "--to", address, "--from", source.toString());
        Run received = first.result();

        assertThat(second.exitCode()).isEqualTo(1);
        assertThat(second.errLines()).containsExactly("multifd receive: cannot receive into " + into
                + ": another receive is writing " + into + " (its temporary file " + temporary + " is locked)");
        assertThat(sent.exitCode()).as(sent.err()).isZero();
        assertThat(received.exitCode()).as(received.err()).isZero();
        assertThat(Files.mismatch(source, into)).isEqualTo(-1);
        assertThat(filesIn(dir)).containsExactlyInAnyOrder(into, source);
    }

    @Test
    void aSecondInPlaceReceiveIntoTheSameFileIsRefusedBeforeListening() throws Exception {
        int size = 8192;
        Path into = Files.write(dir.resolve("copy.img"), new byte[size]);
        Path source = CommandsTest.randomFile(dir.resolve("source.bin"), size);
        RunningCommand first = RunningCommand.start("receive", "--listen", "127.0.0.1:0", "--into",
                into.toString(), "--in-place");
        String address = first.address();

        Run second = Run.of("receive", "--listen", "127.0.0.1:0", "--into", into.toString(), "--in-place");
        Run sent = Run.of("send", "--to", address, "--from", source.toString());
        Run received = first.result();

        assertThat(second.exitCode()).isEqualTo(1);
        assertThat(second.errLines()).containsExactly("multifd receive: cannot receive into " + into
                + ": another receive is writing " + into + " in place (the file is locked)");
        assertThat(received.exitCode()).as(received.err()).isZero();
        assertThat(Files.mismatch(source, into)).isEqualTo(-1);
        assertThat(filesIn(dir)).containsExactlyInAnyOrder(into, source);
    }

    @Test
    void inPlaceWithoutAFileIsAUsageError() {
        Run run = Run.of("receive", "--listen", "127.0.0.1:0", "--size", "1m", "--in-place");

        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("--in-place needs --into FILE");
    }

    private static InetSocketAddress address(RunningCommand receiver) throws InterruptedException {
        String[] hostPort = receiver.address().split(":");
        return new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
    }

    /** Runs {@code receive --into into --in-place} and {@code send --from source}; both must succeed. */
    private static Run sendInPlace(Path source, Path into) throws Exception {
        return sendInto(source, into, "--in-place");
    }

    /** Runs {@code receive --into into} with {@code options} and {@code send --from source}; both must succeed. */
    private static Run sendInto(Path source, Path into, String... options) throws Exception {
        List<String> receive = new ArrayList<>(List.of("receive", "--listen", "127.0.0.1:0", "--into",
                into.toString()));
        receive.addAll(List.of(options));
        RunningCommand receiver = RunningCommand.start(receive.toArray(String[]::new));
        Run sent = Run.of("send", "--to", receiver.address(), "--from", source.toString());
        Run received = receiver.result();
        assertThat(sent.exitCode()).as(sent.err()).isZero();
        assertThat(received.exitCode()).as(received.err()).isZero();
        return received;
    }

    private static void awaitFirstByte(Path file, byte value) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try (FileChannel channel = FileChannel.open(file)) {
                ByteBuffer first = ByteBuffer.allocate(1);
                if (channel.read(first, 0) == 1 && first.get(0) == value) {
                    return;
                }
            }
            assertThat(System.nanoTime()).as("the receiver wrote its first page in place").isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(5); // polls the condition above
        }
    }

    /** Waits until the source has announced its block: the temporary file, empty until then, has its size. */
    private static void awaitTemporaryFile(Path into) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (filesIn(into.getParent()).stream().noneMatch(f -> f.getFileName().toString().endsWith(".partial")
                && f.toFile().length() > 0)) {
            assertThat(System.nanoTime()).as("the receiver sized its temporary file").isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(5); // polls the condition above
        }
    }

    /** {@return the one temporary file beside {@code into}, which a receive creates before it listens} */
    private static Path temporaryFile(Path into) throws IOException {
        List<Path> temporary = filesIn(into.getParent()).stream()
                .filter(f -> f.getFileName().toString().endsWith(".partial")).toList();
        assertThat(temporary).hasSize(1);
        return temporary.getFirst();
    }

    private static List<Path> filesIn(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.toList();
        }
    }

    private static boolean mkfifo(Path fifo) throws InterruptedException {
        try {
            Process process = new ProcessBuilder("mkfifo", fifo.toString()).redirectErrorStream(true).start();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
