package tests.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import testkit.Tier;
import tests.LinuxProvider;

/** 256 MiB between two JVMs over loopback, each side on the module path as a user would run it. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@Tier.ChildJvm
class CrossProcessMigrationTest {

    private static final long SIZE = 256L << 20;

    @ParameterizedTest(name = "{0} channel(s), zero-copy {1}")
    @CsvSource({"1,on", "1,auto", "1,off", "2,on", "2,auto", "2,off", "8,on", "8,auto", "8,off"})
    void theDestinationProcessHoldsTheSourceProcessBytes(int channels, String mode) throws Exception {
        LinuxProvider.required();
        String modulePath = Peers.modulePath();
        try (Peers.Peer destination = Peers.start(modulePath, "receive", Long.toString(SIZE))) {
            String port = destination.await("listening", 60);
            try (Peers.Peer source = Peers.start(modulePath, "send", port, Long.toString(SIZE), "11",
                    Integer.toString(channels), mode)) {
                assertThat(source.exit(120)).as(source.output()).isZero();
                assertThat(destination.exit(60)).as(destination.output()).isZero();

                assertThat(destination.values).containsEntry("status", "completed").containsEntry("verified", "true")
                        .containsEntry("bytes", Long.toString(SIZE));
                assertThat(destination.values.get("crc")).isEqualTo(source.values.get("crc"));
                // Zero-copy required: only the Linux provider does it. Otherwise the source on loopback copies, and
                // then takes the copying provider (the Linux one knows loopback copies every zero-copy send).
                assertThat(source.values).containsEntry("status", "completed")
                        .containsEntry("provider", mode.equals("on") ? "linux" : "copy");
            }
        }
    }
}
