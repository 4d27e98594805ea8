package migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link MigrationDestination#listen} with an address given by host name: resolved before the bind, and one that
 * does not resolve fails naming it; either way nothing stays open once the destination is closed or the call
 * failed.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DestinationListenAddressTest {

    private static final Path OPEN_DESCRIPTORS = Path.of("/proc/self/fd");
    private static final MigrationParameters COPYING = MigrationParameters.defaults().withProvider("copy");

    private static long openDescriptors() throws IOException {
        try (Stream<Path> descriptors = Files.list(OPEN_DESCRIPTORS)) {
            return descriptors.count();
        }
    }

    @Test
    void aHostNameIsResolvedAndTheDestinationListensThereUntilClosed() throws Exception {
        int port;
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(
                     InetSocketAddress.createUnresolved("localhost", 0), RamBlockProvider.anonymous(arena), COPYING)) {
            assertThat(destination.localAddress().getAddress().isLoopbackAddress()).isTrue();
            port = destination.localAddress().getPort();
            assertThat(port).isPositive();
        }
        assertThat(MigrationThreads.live()).isEmpty();
        try (ServerSocket again = new ServerSocket(port)) {
            assertThat(again.getLocalPort()).as("the port, bound again after the close").isEqualTo(port);
        }
    }

    @Test
    void aHostNameThatDoesNotResolveFailsNamingItAndLeavesNothingOpen() throws Exception {
        assumeTrue(Files.isDirectory(OPEN_DESCRIPTORS), "no /proc/self/fd to count open descriptors");
        // RFC 2606 reserves .invalid: it never resolves. The first attempt loads what the failure path needs.
        InetSocketAddress nowhere = InetSocketAddress.createUnresolved("no-such-host.invalid", 4444);
        try (Arena arena = Arena.ofShared()) {
            assertThatThrownBy(() -> MigrationDestination.listen(nowhere, RamBlockProvider.anonymous(arena), COPYING))
                    .isInstanceOf(MigrationException.class);
            long before = openDescriptors();

            assertThatThrownBy(() -> MigrationDestination.listen(nowhere, RamBlockProvider.anonymous(arena), COPYING))
                    .isInstanceOf(MigrationException.class)
                    .hasMessage("cannot listen on no-such-host.invalid:4444: cannot resolve host"
                            + " 'no-such-host.invalid'")
                    .hasCauseInstanceOf(UnknownHostException.class);

            assertThat(openDescriptors()).as("open file descriptors").isEqualTo(before);
            assertThat(MigrationThreads.live()).isEmpty();
        }
    }
}
