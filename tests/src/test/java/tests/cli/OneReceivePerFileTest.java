package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import testkit.Tier;

/**
 * {@code multifd receive --into FILE} as launcher processes: a receiver killed with SIGKILL cannot remove its
 * temporary file, and the next receive into FILE does, says so and succeeds; while one receive process writes FILE,
 * another one into FILE refuses before it listens.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Tier.Image
class OneReceivePerFileTest {

    private static final String LISTENING = "listening on ";
    private static final int SIZE = 32 << 20;

    @TempDir
    Path dir;

    @Test
    void theTemporaryFileOfAReceiverKilledMidMigrationIsRemovedByTheNextReceiveWhichSucceeds() throws Exception {
        Path source = randomFile(dir.resolve("source.bin"));
        Path target = dir.resolve("target.bin");
        Path left;
        try (Launcher.Child receiver = Launcher.start(Launcher.multifd("receive", "--listen", "127.0.0.1:0",
                "--into", target.toString()), Map.of())) {
            String address = receiver.awaitErrLine(LISTENING).substring(LISTENING.length());
            // Slow enough that the receiver is still receiving when it is killed.
            try (Launcher.Child sender = Launcher.start(Launcher.multifd("send", "--to", address, "--from",
                    source.toString(), "--max-bandwidth", "4m"), Map.of())) {
                left = awaitAnnouncedTemporaryFile(target);

                receiver.signal("KILL");

                assertThat(receiver.result().exitCode()).as("killed by SIGKILL").isEqualTo(128 + 9);
                assertThat(sender.result().exitCode()).as("the source saw its destination die").isEqualTo(1);
            }
        }
        assertThat(Files.size(left)).as("the killed receiver's temporary file, still there").isEqualTo(SIZE);

        try (Launcher.Child receiver = Launcher.start(Launcher.multifd("receive", "--listen", "127.0.0.1:0",
                "--into", target.toString()), Map.of())) {
            String address = receiver.awaitErrLine(LISTENING).substring(LISTENING.length());
            Launcher.Result sent = Launcher.run("send", "--to", address, "--from", source.toString());
            Launcher.Result received = receiver.result();

            assertThat(sent.exitCode()).as(sent.describe()).isZero();
            assertThat(received.exitCode()).as(received.describe()).isZero();
            assertThat(received.errLines().getFirst()).isEqualTo("multifd receive: removed " + left
                    + " (32.00 MiB), left by an earlier receive into " + target + " that did not end");
        }
        assertThat(Files.mismatch(source, target)).isEqualTo(-1);
        assertThat(filesIn(dir)).containsExactlyInAnyOrder(source, target);
    }

    @Test
    void aReceiveIntoAFileThatAnotherReceiveProcessWritesIsRefusedBeforeListening() throws Exception {
        Path target = dir.resolve("target.bin");
        try (Launcher.Child first = Launcher.start(Launcher.multifd("receive", "--listen", "127.0.0.1:0",
                "--into", target.toString()), Map.of())) {
            first.awaitErrLine(LISTENING);
            Path temporary = temporaryFiles(target).getFirst();

            Launcher.Result second = Launcher.run("receive", "--listen", "127.0.0.1:0", "--into", target.toString());

            assertThat(second.exitCode()).as(second.describe()).isEqualTo(1);
            assertThat(second.errLines()).as(second.describe()).containsExactly("multifd receive: cannot receive into "
                    + target + ": another receive is writing " + target + " (its temporary file " + temporary
                    + " is locked)");
            first.signal("TERM");
            assertThat(first.result().exitCode()).isEqualTo(143);
        }
        assertThat(filesIn(dir)).as("the first removed its temporary file when it stopped").isEmpty();
    }

    /** Waits until the source has announced its block: the receiver has sized its temporary file. */
    private static Path awaitAnnouncedTemporaryFile(Path target) throws Exception {
        long deadline = System.nanoTime() + Launcher.LIMIT.toNanos();
        while (true) {
            for (Path temporary : temporaryFiles(target)) {
                if (temporary.toFile().length() == SIZE) {
                    return temporary;
                }
            }
            assertThat(System.nanoTime()).as("the receiver sized its temporary file").isLessThan(deadline);
            TimeUnit.MILLISECONDS.sleep(5); // polls the condition above
        }
    }

    private static List<Path> temporaryFiles(Path target) throws IOException {
        String prefix = "." + target.getFileName() + ".";
        return filesIn(target.getParent()).stream().filter(f -> f.getFileName().toString().startsWith(prefix)
                && f.getFileName().toString().endsWith(".partial")).toList();
    }

    private static List<Path> filesIn(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.toList();
        }
    }

    private static Path randomFile(Path file) throws IOException {
        byte[] bytes = new byte[SIZE];
        new SplittableRandom(SIZE).nextBytes(bytes);
        return Files.write(file, bytes);
    }
}
