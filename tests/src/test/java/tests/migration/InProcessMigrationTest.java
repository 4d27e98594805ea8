package tests.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import migration.MigrationDestination;
import migration.MigrationParameters;
import migration.MigrationSource;
import migration.MigrationStats;
import migration.MigrationStatus;
import migration.RamBlock;
import migration.RamBlockProvider;
import migration.ZeroCopyMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tests.LinuxProvider;
import tests.Memories;

/**
 * 256 MiB through the real modules in one JVM, with the Linux provider found through ServiceLoader: every channel
 * count (1, 2, 8) and zero-copy mode (on, auto, off), bytes compared on arrival.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InProcessMigrationTest {

    private static final long SIZE = 256L << 20;
    private static Arena sourceArena;
    private static MemorySegment source;
    private static MemorySegment pristine;

    @BeforeAll
    static void fillSource() {
        sourceArena = Arena.ofShared();
        source = sourceArena.allocate(SIZE, 4096);
        Memories.fill(source, 7);
        pristine = sourceArena.allocate(SIZE, 4096);
        pristine.copyFrom(source);
    }

    @AfterAll
    static void freeSource() {
        sourceArena.close();
    }

    static void assumeLinuxProvider() {
        LinuxProvider.required();
    }

    @ParameterizedTest(name = "{0} channel(s), zero-copy {1}, provider {2}")
    @CsvSource({"1,on,", "1,auto,", "1,auto,linux", "1,off,", "2,on,", "2,auto,", "2,auto,linux", "2,off,", "8,on,",
            "8,auto,", "8,auto,linux", "8,off,"})
    void everyByteArrivesAndTheStatisticsSayWhatZeroCopyDid(int channels, String mode, String provider)
            throws Exception {
        assumeLinuxProvider();
        ZeroCopyMode zeroCopy = ZeroCopyMode.parse(mode);
        MigrationParameters params = MigrationParameters.defaults().withChannels(channels).withZeroCopy(zeroCopy);
        MigrationParameters sourceParams = provider == null ? params : params.withProvider(provider);
        try (Arena arena = Arena.ofShared()) {
            MigrationStats sent;
            MigrationStats received;
            MemorySegment arrived;
            try (MigrationDestination destination = MigrationDestination.listen(
                    new InetSocketAddress("127.0.0.1", 0), RamBlockProvider.anonymous(arena), params);
                 MigrationSource sourceSide = MigrationSource.start(destination.localAddress(),
                         List.of(RamBlock.of("ram0", source)), sourceParams)) {
                sent = sourceSide.await();
                received = destination.await();
                arrived = destination.blocks().getFirst().memory();
            }

            assertThat(arrived.mismatch(source)).as("first differing byte").isEqualTo(-1);
            assertThat(source.mismatch(pristine)).as("source memory untouched").isEqualTo(-1);
            assertThat(sent.status()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(received.verified()).isTrue();
            assertThat(sent.channels()).hasSize(channels);
            assertThat(sent.normalPages() + sent.duplicatePages()).isEqualTo(SIZE / 4096);
            // Zero-copy is asked for only where it may help: required (on), or the Linux provider named. Otherwise
            // the source copies, and then takes the provider without zero-copy, as the destination does.
            boolean linux = zeroCopy == ZeroCopyMode.ON || provider != null;
            assertThat(sent.zeroCopy().provider()).isEqualTo(linux ? "linux" : "copy");
            // The destination only receives: it takes the provider without zero-copy, not the Linux one.
            assertThat(received.channels()).isNotEmpty().allSatisfy(c -> assertThat(c.provider()).isEqualTo("copy"));
            switch (zeroCopy) {
                case ON -> {
                    // Same-host TCP: the kernel copies every zero-copy write, and says so; so zero-copy is not active.
                    assertThat(sent.zeroCopy().active()).isFalse();
                    assertThat(sent.zeroCopy().reason()).contains("zero-copy stays on as required");
                    assertThat(sent.zeroCopy().sends()).isPositive();
                    assertThat(sent.zeroCopy().copied()).isEqualTo(sent.zeroCopy().sends());
                    assertThat(sent.dirtySyncMissedZeroCopy()).isPositive();
                }
                case AUTO -> {
                    assertThat(sent.zeroCopy().active()).isFalse();
                    if (linux) {
                        // Named: tried, found copied by the kernel at the first flush, switched.
                        assertThat(sent.zeroCopy().reason()).contains("copied every zero-copy write")
                                .contains("switched to copying");
                        assertThat(sent.channels()).filteredOn(c -> c.counters().zeroCopySends() > 0)
                                .allSatisfy(c -> assertThat(c.zeroCopyActive()).isFalse());
                    } else {
                        // The Linux provider knows loopback copies: never tried.
                        assertThat(sent.zeroCopy().reason()).startsWith("the destination 127.0.0.1:")
                                .endsWith(" is on this host, where the kernel copies every zero-copy send (same-host"
                                        + " TCP such as loopback always does); copying");
                        assertThat(sent.zeroCopy().sends()).isZero();
                    }
                }
                case OFF -> {
                    assertThat(sent.zeroCopy().sends()).isZero();
                    assertThat(sent.zeroCopy().reason()).containsIgnoringCase("off");
                }
            }
        }
        assertThat(MigrationThreadsLeft.names()).isEmpty();
    }
}
