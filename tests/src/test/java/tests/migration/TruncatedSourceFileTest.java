package tests.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import migration.MigrationDestination;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationSource;
import migration.MigrationStatus;
import migration.RamBlock;
import migration.RamBlockProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source file truncated under its mapping mid-transfer: reading the vanished pages faults (SIGBUS, which the
 * JVM turns into an InternalError). The migration must fail with a reason on both sides, not hang or kill a thread
 * silently.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TruncatedSourceFileTest {

    private static final long SIZE = 64L << 20;

    @TempDir
    Path dir;

    @Test
    void aSourceFileTruncatedMidTransferFailsTheMigrationWithTheReason() throws Exception {
        Path file = dir.resolve("source.img");
        byte[] chunk = new byte[1 << 20];
        new Random(1).nextBytes(chunk);
        try (var out = Files.newOutputStream(file)) {
            for (long written = 0; written < SIZE; written += chunk.length) {
                out.write(chunk);
            }
        }
        MigrationParameters params = MigrationParameters.defaults().withChannels(2).withMaxBandwidth(8L << 20);
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(new InetSocketAddress("127.0.0.1", 0),
                     RamBlockProvider.anonymous(arena), params);
             MigrationSource source = MigrationSource.start(destination.localAddress(),
                     List.of(RamBlock.mapFile("ram0", file, SIZE, false, arena)), params)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (source.stats().transferred() < (4L << 20)) {
                assertThat(System.nanoTime()).as("the transfer started within 60 s").isLessThan(deadline);
                assertThat(source.await(Duration.ofMillis(20))).as("source ended early: %s", source.stats())
                        .isFalse();
            }

            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(0);
            }

            MigrationException failure = assertThrows(MigrationException.class, source::await);
            assertThat(failure.stats().status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(failure.getMessage()).containsAnyOf("faulted", "Bad address");
            MigrationException other = assertThrows(MigrationException.class, destination::await);
            assertThat(other.stats().status()).isIn(MigrationStatus.FAILED, MigrationStatus.CANCELLED);
        }
        assertThat(MigrationThreadsLeft.names()).isEmpty();
    }
}
