package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import testkit.Tier;

/**
 * A receiver whose target file system is full: a private 1 MiB tmpfs, mounted in a mount namespace of the
 * receiver's own (so nothing outside sees it and it vanishes with the process). Needs root, as CI has.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@Tier.Image
class FullDiskTest {

    @TempDir
    Path dir;

    @Test
    void receivingIntoAFullFileSystemFailsBothSidesWithTheReason() throws Exception {
        Path mountPoint = Files.createDirectory(dir.resolve("small"));
        assumeTrue(PrivateTmpfs.available(mountPoint), "needs unshare and mount (root) for a private 1 MiB tmpfs");
        byte[] bytes = new byte[8 << 20];
        new Random(3).nextBytes(bytes);
        Path source = Files.write(dir.resolve("source.bin"), bytes);

        try (Launcher.Child receiver = Launcher.start(PrivateTmpfs.around(mountPoint, "size=1m",
                Launcher.multifd("receive", "--listen", "127.0.0.1:0", "--into",
                        mountPoint.resolve("copy.img").toString())), Map.of())) {
            String listening = receiver.awaitErrLine("listening on ");
            String address = listening.substring("listening on ".length()).strip();

            Launcher.Result sent = Launcher.run("send", "--to", address, "--from", source.toString());
            Launcher.Result received = receiver.result();

            assertThat(received.exitCode()).as(received.describe()).isEqualTo(1);
            assertThat(received.err()).contains("multifd receive: ").contains("not enough space for ram block 'ram0'");
            assertThat(sent.exitCode()).as(sent.describe()).isEqualTo(1);
            assertThat(sent.err()).contains("multifd send: ").contains("not enough space");
        }
    }
}
