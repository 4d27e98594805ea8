package migration.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
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
        RunningCommand receiver = RunningCommand.start("receive", "--listen", "127.0.0.1:0", "--into",
                into.toString());

        Run sent = Run.of("send", "--to", receiver.address(), "--from", source.toString());
        Run received = receiver.result();

        assertThat(sent.exitCode()).as(sent.err()).isZero();
        assertThat(received.exitCode()).as(received.err()).isZero();
        assertThat(Files.mismatch(source, into)).isEqualTo(-1);
        assertThat(filesIn(dir)).containsExactlyInAnyOrder(into, source);
    }

    private static InetSocketAddress address(RunningCommand receiver) throws InterruptedException {
        String[] hostPort = receiver.address().split(":");
        return new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
    }

    private static void awaitTemporaryFile(Path into) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (filesIn(into.getParent()).stream().noneMatch(f -> f.getFileName().toString().endsWith(".partial"))) {
            assertThat(System.nanoTime()).as("the receiver created its temporary file").isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(5); // polls the condition above
        }
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
