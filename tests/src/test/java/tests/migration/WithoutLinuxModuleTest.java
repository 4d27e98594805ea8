package tests.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import migration.MigrationDestination;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationStats;
import migration.MigrationStatus;
import migration.RamBlockProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testkit.Tier;

/**
 * The source runs in a JVM whose module path lacks io.channel.linux: nothing requires that module, so its absence
 * must only mean copying, and {@code zero-copy-send=on} must be refused before a byte moves.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Tier.ChildJvm
class WithoutLinuxModuleTest {

    private static final long SIZE = 16L << 20;

    @Test
    void autoCopiesAndSaysWhy() throws Exception {
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(new InetSocketAddress("127.0.0.1", 0),
                     RamBlockProvider.anonymous(arena), MigrationParameters.defaults());
             Peers.Peer source = Peers.start(Peers.modulePath("io.channel.linux"), "send",
                     Integer.toString(destination.localAddress().getPort()), Long.toString(SIZE), "3", "2",
                     "auto")) {
            assertThat(source.exit(60)).as(source.output()).isZero();
            MigrationStats received = destination.await();

            assertThat(received.verified()).isTrue();
            assertThat(source.values).containsEntry("provider", "copy").containsEntry("zero-copy-active", "false")
                    .containsEntry("zero-copy-sends", "0");
            assertThat(source.values.get("zero-copy-reason"))
                    .contains("no zero-copy channel provider found (module io.channel.linux is not on the module path)");
        }
    }

    @Test
    void onIsRefusedBeforeAByteMovesWithTheReason() throws Exception {
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(new InetSocketAddress("127.0.0.1", 0),
                     RamBlockProvider.anonymous(arena), MigrationParameters.defaults());
             Peers.Peer source = Peers.start(Peers.modulePath("io.channel.linux"), "send",
                     Integer.toString(destination.localAddress().getPort()), Long.toString(SIZE), "3", "2", "on")) {
            assertThat(source.exit(60)).isEqualTo(1);
            assertThat(source.values.get("error")).contains("zero-copy was required (zero-copy=on)")
                    .contains("module io.channel.linux is not on the module path");
            destination.cancel();
            MigrationException cancelled = assertThrows(MigrationException.class, destination::await);
            assertThat(cancelled.stats().status()).isEqualTo(MigrationStatus.CANCELLED);
            assertThat(cancelled.stats().normalPages() + cancelled.stats().duplicatePages())
                    .as("pages the destination received").isZero();
        }
    }
}
