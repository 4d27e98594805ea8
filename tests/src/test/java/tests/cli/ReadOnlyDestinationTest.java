package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import testkit.Tier;

/** {@code receive} refuses a destination on a read-only file system before it listens. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@Tier.Image
class ReadOnlyDestinationTest {

    @TempDir
    Path dir;

    @Test
    void aReadOnlyFileSystemIsRefusedBeforeListening() throws Exception {
        Path mountPoint = Files.createDirectory(dir.resolve("ro"));
        assumeTrue(PrivateTmpfs.available(mountPoint), "needs unshare and mount (root) for a private tmpfs");
        Path into = mountPoint.resolve("copy.img");

        Launcher.Result run = Launcher.start(PrivateTmpfs.around(mountPoint, "ro", Launcher.multifd("receive",
                "--listen", "127.0.0.1:0", "--into", into.toString())), Map.of()).result();

        assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
        assertThat(run.errLines()).as(run.describe()).singleElement().asString()
                .startsWith("multifd receive: cannot receive into " + into + ": " + mountPoint
                        + " is on a read-only file system");
    }
}
