package migration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import migration.MigrationDestination;
import migration.MigrationParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The peer's words reach the terminal escaped, cut, and on one line. (Block names with control characters are
 * refused by the library when it decodes HELLO.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerTextTest {

    private static final String ESC = "\u001b";

    @TempDir
    Path dir;

    @Test
    void aDestinationsErrorTextIsShownOnOneEscapedLineBySend() throws Exception {
        Path source = CommandsTest.randomFile(dir.resolve("source.bin"), 1 << 20);
        String hostile = ESC + "[2J" + "fake\nmultifd send: completed, digests verified" + "x".repeat(4000);
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(
                     new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), (name, size) -> {
                         throw new IOException(hostile);
                     }, MigrationParameters.defaults().withProvider("copy"))) {

            Run sent = Run.of("send", "--to", HostPort.format(destination.localAddress()), "--from",
                    source.toString());

            assertThat(sent.exitCode()).isEqualTo(1);
            assertThat(sent.err()).doesNotContain(ESC);
            assertThat(sent.errLines()).singleElement().asString()
                    .startsWith("multifd send: ")
                    .contains("\\x1b[2Jfake")
                    .contains(" more characters)")
                    .hasSizeLessThan(OneLine.MAX_LENGTH + 60);
        }
    }
}
