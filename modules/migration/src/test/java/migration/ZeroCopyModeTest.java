package migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.channel.ChannelProviders;
import io.channel.spi.ChannelProvider;
import java.lang.foreign.Arena;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ZeroCopyModeTest {

    private static final long SIZE = 4L * 1024 * 1024;

    /** What a test takes from a migration of 4 MiB of mixed pages to a copying destination. */
    private interface Outcome<T> {
        T of(MigrationSource migration, MigrationDestination destination, RamBlock source) throws Exception;
    }

    private static <T> T run(MigrationParameters params, List<ChannelProvider> sourceProviders, Outcome<T> outcome)
            throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock source = RamBlock.anonymous("ram0", SIZE, arena);
            TestMemory.fillMixed(source.memory(), 11);
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), MigrationParameters.defaults().withProvider("copy"));
                 MigrationSource migration = MigrationSource.start(destination.localAddress(), List.of(source), params,
                         sourceProviders)) {
                return outcome.of(migration, destination, source);
            }
        }
    }

    private static MigrationStats migrate(MigrationParameters params, List<ChannelProvider> sourceProviders)
            throws Exception {
        return run(params, sourceProviders, (migration, destination, source) -> {
            MigrationStats stats = migration.await();
            destination.await();
            assertThat(destination.blocks().get(0).memory().mismatch(source.memory())).isEqualTo(-1);
            return stats;
        });
    }

    private static List<ChannelProvider> copyOnly() {
        return List.of(ChannelProviders.named("copy"));
    }

    @Test
    void onWithTheCopyingProviderRequestedFailsBeforeConnecting() {
        MigrationParameters params = MigrationParameters.defaults().withZeroCopy(ZeroCopyMode.ON).withProvider("copy");
        // Port 9 (discard) on loopback: nothing may even try to connect, so no listener is needed.
        assertThatThrownBy(() -> MigrationSource.start(new java.net.InetSocketAddress("127.0.0.1", 9),
                List.of(RamBlock.anonymous("ram0", 4096, Arena.global())), params))
                .isInstanceOf(MigrationException.class)
                .hasMessageStartingWith("zero-copy was required (zero-copy=on), but channel provider 'copy' was"
                        + " chosen by request and always copies");
        assertThat(MigrationThreads.live()).isEmpty();
    }

    @Test
    void onWithoutAnyZeroCopyProviderSaysTheLinuxModuleIsMissing() {
        MigrationParameters params = MigrationParameters.defaults().withZeroCopy(ZeroCopyMode.ON);
        assertThatThrownBy(() -> MigrationSource.start(new java.net.InetSocketAddress("127.0.0.1", 9),
                List.of(RamBlock.anonymous("ram0", 4096, Arena.global())), params, copyOnly()))
                .isInstanceOf(MigrationException.class)
                .hasMessageContaining("no zero-copy channel provider found (module io.channel.linux is not on the"
                        + " module path)");
    }

    @Test
    void onWithAnUnavailableZeroCopyProviderGivesItsCause() {
        MigrationParameters params = MigrationParameters.defaults().withZeroCopy(ZeroCopyMode.ON);
        List<ChannelProvider> providers = List.of(ChannelProviders.named("copy"),
                PretendZeroCopyProvider.unavailable("native access is not enabled: add"
                        + " --enable-native-access=io.channel.linux"));
        assertThatThrownBy(() -> MigrationSource.start(new java.net.InetSocketAddress("127.0.0.1", 9),
                List.of(RamBlock.anonymous("ram0", 4096, Arena.global())), params, providers))
                .isInstanceOf(MigrationException.class)
                .hasMessageContaining("the linux provider is unavailable: native access is not enabled: add"
                        + " --enable-native-access=io.channel.linux");
    }

    @Test
    void onWhenTheKernelRefusesZeroCopyFailsBeforeAByteMoves() throws Exception {
        MigrationParameters params = MigrationParameters.defaults().withZeroCopy(ZeroCopyMode.ON)
                .withSetupTimeout(java.time.Duration.ofSeconds(2));
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                     RamBlockProvider.anonymous(arena), MigrationParameters.defaults().withProvider("copy"));
             MigrationSource migration = MigrationSource.start(destination.localAddress(),
                     List.of(RamBlock.anonymous("ram0", SIZE, arena)), params,
                     List.of(PretendZeroCopyProvider.kernelWithoutZeroCopy()))) {
            assertThatThrownBy(migration::await).isInstanceOf(MigrationException.class)
                    .hasMessageStartingWith("Zero copy send feature not detected in host kernel: multifd channel 0")
                    .hasMessageContaining("setsockopt(SO_ZEROCOPY) failed: Operation not supported (pretend)")
                    .satisfies(e -> assertThat(((MigrationException) e).stats().transferred()).isZero());
            // The main channel and channel 0 connected and closed without a byte: strangers to the destination,
            // which drops them and goes on waiting for a source.
            Conditions.await("both connections dropped", java.time.Duration.ofSeconds(10),
                    () -> destination.stats().unidentifiedConnections() == 2);
            assertThat(destination.stats().status()).isEqualTo(MigrationStatus.SETUP);
        }
    }

    @Test
    void autoWithOnlyTheCopyingProviderCopiesAndSaysWhy() throws Exception {
        MigrationStats stats = migrate(MigrationParameters.defaults(), copyOnly());
        assertThat(stats.zeroCopy().active()).isFalse();
        assertThat(stats.zeroCopy().provider()).isEqualTo("copy");
        assertThat(stats.zeroCopy().reason()).isEqualTo("no zero-copy channel provider found (module io.channel.linux"
                + " is not on the module path); copying");
        assertThat(stats.zeroCopy().sends()).isZero();
    }

    @Test
    void autoToAnAddressOfThisHostCopiesWithTheCopyingProviderAndNeverStartsTheZeroCopyOne() throws Exception {
        PretendZeroCopyProvider zeroCopy = PretendZeroCopyProvider.copiedOnThisHostAndSaysSo();
        MigrationStats stats = migrate(MigrationParameters.defaults().withChannels(2),
                List.of(zeroCopy, ChannelProviders.named("copy")));
        assertThat(stats.zeroCopy().provider()).isEqualTo("copy");
        assertThat(stats.zeroCopy().active()).isFalse();
        assertThat(stats.zeroCopy().reason()).startsWith("the destination 127.0.0.1:")
                .endsWith(" is on this host, where the kernel copies every zero-copy send (same-host TCP such as"
                        + " loopback always does); copying");
        assertThat(stats.zeroCopy().sends()).isZero();
        assertThat(stats.dirtySyncMissedZeroCopy()).isZero();
        // Neither probed nor used: a real zero-copy provider costs its start-up only when it may help.
        assertThat(zeroCopy.probes).hasValue(0);
        assertThat(zeroCopy.connects).hasValue(0);
    }

    @Test
    void autoToAnAddressOfThisHostStillTriesZeroCopyWhenTheProviderIsNamed() throws Exception {
        PretendZeroCopyProvider zeroCopy = PretendZeroCopyProvider.copiedOnThisHostAndSaysSo();
        MigrationStats stats = migrate(MigrationParameters.defaults().withChannels(1).withProvider("linux"),
                List.of(zeroCopy, ChannelProviders.named("copy")));
        assertThat(stats.zeroCopy().provider()).isEqualTo("linux");
        assertThat(stats.zeroCopy().reason()).startsWith("the kernel copied every zero-copy write on channel 0");
        assertThat(zeroCopy.zeroCopyWrites.get()).isPositive();
    }

    @Test
    void onToAnAddressOfThisHostStillUsesZeroCopy() throws Exception {
        PretendZeroCopyProvider zeroCopy = PretendZeroCopyProvider.copiedOnThisHostAndSaysSo();
        MigrationStats stats = migrate(MigrationParameters.defaults().withChannels(1).withZeroCopy(ZeroCopyMode.ON),
                List.of(zeroCopy, ChannelProviders.named("copy")));
        assertThat(stats.zeroCopy().provider()).isEqualTo("linux");
        assertThat(stats.zeroCopy().reason()).endsWith("zero-copy stays on as required");
        assertThat(stats.zeroCopy().sends()).isPositive();
    }

    @Test
    void offTakesTheCopyingProviderWithoutStartingTheZeroCopyOne() throws Exception {
        PretendZeroCopyProvider zeroCopy = PretendZeroCopyProvider.realZeroCopy();
        MigrationStats stats = migrate(MigrationParameters.defaults().withZeroCopy(ZeroCopyMode.OFF),
                List.of(zeroCopy, ChannelProviders.named("copy")));
        assertThat(stats.zeroCopy().provider()).isEqualTo("copy");
        assertThat(zeroCopy.probes).hasValue(0);
        assertThat(zeroCopy.connects).hasValue(0);
    }

    @Test
    void offCopiesAndSaysItWasAsked() throws Exception {
        MigrationStats stats = migrate(MigrationParameters.defaults().withZeroCopy(ZeroCopyMode.OFF),
                List.of(ChannelProviders.named("copy"), PretendZeroCopyProvider.realZeroCopy()));
        assertThat(stats.zeroCopy().active()).isFalse();
        assertThat(stats.zeroCopy().reason()).isEqualTo("off by request");
        assertThat(stats.zeroCopy().sends()).isZero();
    }

    @Test
    void autoSwitchesAChannelToCopyingWhenItsFirstFlushFindsEverythingCopied() throws Exception {
        PretendZeroCopyProvider provider = PretendZeroCopyProvider.copiedByKernel();
        MigrationStats stats = migrate(MigrationParameters.defaults().withChannels(2), List.of(provider));
        // Senders claim packets themselves, so on a busy machine one channel may carry them all; a channel that
        // wrote nothing has nothing to decide.
        long carriedData = stats.channels().stream().filter(c -> c.packets() > 1).count();
        assertThat(stats.zeroCopy().active()).isFalse();
        assertThat(stats.zeroCopy().reason()).startsWith("the kernel copied every zero-copy write on ")
                .contains("(same-host TCP such as loopback always does); switched to copying writes");
        assertThat(stats.channels()).filteredOn(c -> c.packets() > 1)
                .allSatisfy(c -> assertThat(c.zeroCopyActive()).isFalse());
        // One zero-copy write per channel that carried data, then copying: the first flush decided.
        assertThat(provider.zeroCopyWrites.get()).isEqualTo(carriedData).isPositive();
        // Every write of those channels was copied (by the kernel, then by choice): their syncs count as missed.
        assertThat(stats.dirtySyncMissedZeroCopy()).isEqualTo(carriedData);
    }

    @Test
    void onKeepsZeroCopyWhenTheKernelCopiesAndCountsEveryMissedSync() throws Exception {
        PretendZeroCopyProvider provider = PretendZeroCopyProvider.copiedByKernel();
        // One channel, so that it surely has zero-copy writes pending at the sync after its first flush.
        MigrationStats stats = migrate(MigrationParameters.defaults().withChannels(1).withZeroCopy(ZeroCopyMode.ON),
                List.of(provider));
        // Required and asked for on every write, but nothing avoided the copy: not active.
        assertThat(stats.zeroCopy().active()).isFalse();
        assertThat(stats.channels()).allSatisfy(c -> assertThat(c.zeroCopyActive()).isFalse());
        assertThat(stats.zeroCopy().reason()).isEqualTo("the kernel copied every zero-copy write on channel 0"
                + " (same-host TCP such as loopback always does); zero-copy stays on as required");
        assertThat(stats.dirtySyncMissedZeroCopy()).isEqualTo(1);
        assertThat(stats.zeroCopy().sends()).isEqualTo(provider.zeroCopyWrites.get()).isGreaterThan(2);
        assertThat(stats.zeroCopy().copied()).isEqualTo(stats.zeroCopy().sends());
    }

    @Test
    void autoWithRealZeroCopyStaysOnAndSaysSo() throws Exception {
        MigrationStats stats = migrate(MigrationParameters.defaults().withChannels(2),
                List.of(PretendZeroCopyProvider.realZeroCopy()));
        assertThat(stats.zeroCopy().active()).isTrue();
        // A channel may carry no data when its peer claims every packet first; it is named, not counted.
        assertThat(stats.zeroCopy().reason()).startsWith("zero-copy in effect")
                .doesNotContain("copied every zero-copy write");
        assertThat(stats.dirtySyncMissedZeroCopy()).isZero();
        assertThat(stats.channels()).allSatisfy(c -> assertThat(c.zeroCopyActive()).isTrue());
    }

    @Test
    void onFailsWithQemusMessageWhenTheKernelCannotLockEnoughMemoryForAWrite() throws Exception {
        MigrationParameters params = MigrationParameters.defaults().withChannels(1).withZeroCopy(ZeroCopyMode.ON);
        MigrationException failure = run(params, List.of(PretendZeroCopyProvider.refusedForLackOfLockedMemory()),
                (migration, destination, source) -> catchThrowableOfType(MigrationException.class, migration::await));
        assertThat(failure).hasMessageStartingWith("multifd channel 0")
                .hasMessageContaining("Process can't lock enough memory for using MSG_ZEROCOPY: ")
                .hasMessageContaining("RLIMIT_MEMLOCK 65536 bytes").hasMessageContaining("net.core.optmem_max");
        assertThat(failure.stats().status()).isEqualTo(MigrationStatus.FAILED);
        assertThat(MigrationThreads.live()).isEmpty();
    }

    @Test
    void autoCopiesTheWritesTheKernelRefusesToPinAndSaysItIsTheLockedMemoryLimit() throws Exception {
        PretendZeroCopyProvider provider = PretendZeroCopyProvider.refusedForLackOfLockedMemory();
        MigrationStats stats = migrate(MigrationParameters.defaults().withChannels(1), List.of(provider));
        assertThat(stats.zeroCopy().active()).isFalse();
        assertThat(stats.zeroCopy().copyFallbacks()).isPositive();
        assertThat(stats.zeroCopy().sends()).isZero();
        assertThat(stats.zeroCopy().reason()).isEqualTo("on channel 0 the kernel refused to pin zero-copy writes for"
                + " lack of locked memory: " + PretendZeroCopyProvider.REFUSAL + "; such writes are copied; switched"
                + " to copying writes");
        assertThat(stats.channels()).allSatisfy(c -> assertThat(c.zeroCopyActive()).isFalse());
        // The first flush found the write copied (by the fallback): AUTO switched, and that sync counts as missed.
        assertThat(provider.zeroCopyWrites.get()).isZero();
        assertThat(stats.dirtySyncMissedZeroCopy()).isEqualTo(1);
    }
}
