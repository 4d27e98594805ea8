package tests.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import migration.MigrationDestination;
import migration.MigrationParameters;
import migration.MigrationSource;
import migration.MigrationStats;
import migration.MigrationStatus;
import migration.RamBlock;
import migration.RamBlockProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testkit.Tier;
import tests.Memories;

/**
 * A destination on a Unix domain socket refuses a process of another user before it reads a byte, and the
 * migration goes on for its own source. The other user is a child JVM run as {@code nobody} (which needs root and
 * util-linux's {@code setpriv}); it connects, sends the main channel's preamble, and says whether the destination
 * closed the connection without a word.
 */
@Tier.ChildJvm
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UnixPeerUserTest {

    /** The child: connects, writes the main magic and version, reads until the peer closes, prints the outcome. */
    private static final String CHILD = """
            import java.net.StandardProtocolFamily;
            import java.net.UnixDomainSocketAddress;
            import java.nio.ByteBuffer;
            import java.nio.channels.SocketChannel;

            public class Connect {
                public static void main(String[] args) throws Exception {
                    System.out.println("user=" + System.getProperty("user.name"));
                    try (SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                        socket.connect(UnixDomainSocketAddress.of(args[0]));
                        socket.write(ByteBuffer.wrap(new byte[] {0x4d, 0x49, 0x47, 0x52, 0, 0, 0, 2}));
                        ByteBuffer answer = ByteBuffer.allocate(64);
                        int read;
                        long total = 0;
                        try {
                            while ((read = socket.read(answer.clear())) > 0) {
                                total += read;
                            }
                        } catch (java.io.IOException reset) {
                            read = -1;
                        }
                        System.out.println("answered-bytes=" + total);
                        System.out.println("closed=" + (read < 0));
                    }
                }
            }
            """;

    private Path directory;

    @BeforeEach
    void rootWithSetpriv() throws IOException {
        assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false),
                "switching to user nobody needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
        directory = Files.createTempDirectory("unix-peer-user");
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @AfterEach
    void clean() throws IOException {
        if (directory != null) {
            try (var files = Files.list(directory)) {
                for (Path file : files.toList()) {
                    Files.delete(file);
                }
            }
            Files.delete(directory);
        }
    }

    private List<String> runAsNobody(Path socket) throws IOException, InterruptedException {
        Path source = directory.resolve("Connect.java");
        Files.writeString(source, CHILD, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(source, PosixFilePermissions.fromString("rw-r--r--"));
        String java = ProcessHandle.current().info().command().orElseThrow();
        Process child = new ProcessBuilder("/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                java, "-Xmx64m", source.toString(), socket.toString()).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
        assertThat(child.exitValue()).as(output).isZero();
        return output.lines().toList();
    }

    @Test
    void aProcessOfAnotherUserIsDroppedUnheardAndTheMigrationGoesOn() throws Exception {
        Path socket = directory.resolve("m.sock");
        MigrationParameters params = MigrationParameters.defaults().withChannels(2);
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", 4L << 20, arena);
            Memories.fill(block.memory(), 8);
            try (MigrationDestination destination = MigrationDestination.listen(UnixDomainSocketAddress.of(socket),
                    RamBlockProvider.anonymous(arena), params)) {
                // Let anyone reach the socket, so that only the user check stands in the way.
                Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rwxrwxrwx"));

                List<String> child = runAsNobody(socket);

                assertThat(child).contains("user=nobody", "answered-bytes=0", "closed=true");
                assertThat(destination.stats().unidentifiedConnections()).isEqualTo(1);
                assertThat(destination.stats().status()).isNotEqualTo(MigrationStatus.FAILED);
                try (MigrationSource source = MigrationSource.start(destination.localSocketAddress(),
                        List.of(block), params)) {
                    MigrationStats sent = source.await();
                    assertThat(sent.status()).isEqualTo(MigrationStatus.COMPLETED);
                }
                assertThat(destination.await().verified()).isTrue();
            }
        }
    }

    @Test
    void anAllowedUidIsLetIn() throws Exception {
        Path socket = directory.resolve("m.sock");
        int nobody = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 65534 ? 65533 : 65534;
        // A setup timeout of 1 s bounds the wait for the HELLO the child never sends.
        MigrationParameters params = MigrationParameters.defaults().withAllowedPeerUids(java.util.Set.of(nobody))
                .withSetupTimeout(java.time.Duration.ofSeconds(1));
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(UnixDomainSocketAddress.of(socket),
                     RamBlockProvider.anonymous(arena), params)) {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rwxrwxrwx"));

            List<String> child = runAsNobody(socket);

            // Let in: its preamble makes it the migration's main channel, which waits for a HELLO that never comes
            // and fails at the setup timeout, instead of dropping a stranger at once.
            assertThat(child).contains("user=nobody", "answered-bytes=0", "closed=true");
            org.assertj.core.api.Assertions.assertThatThrownBy(destination::await)
                    .isInstanceOf(migration.MigrationException.class);
            assertThat(destination.stats().status()).isEqualTo(MigrationStatus.FAILED);
            assertThat(destination.stats().unidentifiedConnections()).isZero();
        }
    }
}
