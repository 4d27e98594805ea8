package tests.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.channel.ChannelProviders;
import io.channel.memory.DirtyTrackerProvider;
import io.channel.memory.DirtyTrackers;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import testkit.Tier;

/**
 * 256 MiB live migrations between two JVMs over loopback, each side on the module path as a user would run it
 * ({@link tests.MigrationPeer}): the source's writer threads write its memory while it moves, the destination is
 * another process. Each tracker runs once, and each zero-copy mode once. The source drives the switchover after
 * three dirty syncs, so nothing depends on the machine's speed.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@Tier.ChildJvm
class CrossProcessLiveMigrationTest {

    private static final long SIZE = 256L << 20;

    @ParameterizedTest(name = "tracker {0}, zero-copy {1}, {2} writer(s)")
    @CsvSource({"linux, on, 2", "portable, auto, 1", "application, off, 2"})
    void theDestinationProcessEndsWithTheSourceProcessFinalBytes(String tracker, String zeroCopy, int writers)
            throws Exception {
        var linux = ChannelProviders.named("linux");
        assumeTrue(linux.isAvailable(), () -> "Linux provider unavailable: " + linux.unavailabilityCause());
        DirtyTrackerProvider provider = DirtyTrackers.named(tracker);
        assumeTrue(provider.isAvailable(), () -> "dirty tracker '" + tracker + "' unavailable: "
                + provider.unavailabilityCause());
        String modulePath = Peers.modulePath();
        try (Peers.Peer destination = Peers.start(modulePath, "receive", Long.toString(SIZE))) {
            String port = destination.await("listening", 60);
            try (Peers.Peer source = Peers.start(modulePath, "send-live", port, Long.toString(SIZE), "23", "2",
                    zeroCopy, tracker, Integer.toString(writers))) {
                assertThat(source.exit(180)).as(source.output()).isZero();
                assertThat(destination.exit(60)).as(destination.output()).isZero();

                assertThat(source.values).as(source.output()).containsEntry("status", "completed")
                        .containsEntry("tracker", tracker).containsEntry("hooks", "pause");
                assertThat(Long.parseLong(source.values.get("writes"))).as("words the writers wrote").isPositive();
                assertThat(Integer.parseInt(source.values.get("rounds"))).as("rounds").isGreaterThanOrEqualTo(4);
                assertThat(Long.parseLong(source.values.get("pages-resent"))).as("pages sent again after round 1")
                        .isPositive();
                assertThat(Long.parseLong(source.values.get("downtime"))).isNotNegative();
                assertThat(destination.values).containsEntry("status", "completed").containsEntry("verified", "true")
                        .containsEntry("bytes", Long.toString(SIZE));
                assertThat(destination.values.get("crc")).as("CRC32C of the destination's memory against the"
                        + " source's final memory").isEqualTo(source.values.get("crc"));
            }
        }
    }
}
