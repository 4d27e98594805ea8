package io.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import testkit.RecordingLogger;
import io.channel.spi.ChannelProvider;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ChannelProvidersTest {

    /** A provider that is available or not, as told, counting how often its availability was asked. */
    record StubProvider(String name, int priority, Throwable cause, AtomicInteger probes) implements ChannelProvider {

        StubProvider(String name, int priority, Throwable cause) {
            this(name, priority, cause, new AtomicInteger());
        }

        @Override
        public boolean supportsZeroCopy() {
            return priority > 0;
        }

        @Override
        public boolean isAvailable() {
            return unavailabilityCause() == null;
        }

        @Override
        public Throwable unavailabilityCause() {
            probes.incrementAndGet();
            return cause;
        }

        @Override
        public IOChannel connect(InetSocketAddress remote, ChannelOptions options) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ChannelListener listen(InetSocketAddress local, ChannelOptions options) {
            throw new UnsupportedOperationException();
        }
    }

    private static final StubProvider COPY = new StubProvider("copy", 0, null);
    private static final StubProvider FAST = new StubProvider("fast", 100, null);
    private static final StubProvider BROKEN = new StubProvider("broken", 200,
            new UnsupportedOperationException("kernel refused SO_ZEROCOPY"));

    @Test
    void theHighestPriorityAvailableProviderIsChosen() {
        var selection = ChannelProviders.select(List.of(COPY, FAST), null);

        assertThat(selection.chosen()).isSameAs(FAST);
        assertThat(selection.forced()).isFalse();
    }

    @Test
    void anUnavailableProviderIsPassedOverWithItsCause() {
        var selection = ChannelProviders.select(List.of(COPY, BROKEN), null);

        assertThat(selection.chosen()).isSameAs(COPY);
        assertThat(selection.rejections().getSuppressed()).singleElement()
                .satisfies(e -> assertThat(e).hasMessageContaining("'broken'").hasMessageContaining(
                        "kernel refused SO_ZEROCOPY"));
        assertThat(selection.describe()).isEqualTo(
                "using channel provider 'copy'; passed over 'broken': kernel refused SO_ZEROCOPY");
    }

    @Test
    void aCopyingSideTakesTheBestProviderWithoutZeroCopy() {
        var selection = ChannelProviders.selectForCopying(List.of(FAST, COPY));

        assertThat(selection.chosen()).isSameAs(COPY);
    }

    @Test
    void aCopyingSideNeverProbesAZeroCopyProviderWhenACopyingOneIsAvailable() {
        StubProvider zeroCopy = new StubProvider("zero-copy", 100, null);

        assertThat(ChannelProviders.selectForCopying(List.of(zeroCopy, COPY)).chosen()).isSameAs(COPY);
        assertThat(zeroCopy.probes()).hasValue(0);
    }

    @Test
    void aCopyingSideWithNoCopyingProviderAvailableTakesTheBestOfAll() {
        StubProvider brokenCopy = new StubProvider("copy", 0, new IllegalStateException("no java.nio"));

        assertThat(ChannelProviders.selectForCopying(List.of(FAST, brokenCopy)).chosen()).isSameAs(FAST);
        assertThat(ChannelProviders.selectForCopying(List.of(FAST)).chosen()).isSameAs(FAST);
    }

    @Test
    void aNamedProviderIsUsedEvenWithALowerPriority() {
        var selection = ChannelProviders.select(List.of(COPY, FAST), "copy");

        assertThat(selection.chosen()).isSameAs(COPY);
        assertThat(selection.forced()).isTrue();
        assertThat(selection.describe()).contains("forced by -Dio.channel.provider=copy");
    }

    @Test
    void anUnknownNameFailsListingTheProvidersFound() {
        assertThatThrownBy(() -> ChannelProviders.select(List.of(COPY, FAST), "nope"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("-Dio.channel.provider=nope names no channel provider; found: [fast, copy]");
    }

    @Test
    void aNamedButUnavailableProviderFailsWithItsCause() {
        assertThatThrownBy(() -> ChannelProviders.select(List.of(COPY, BROKEN), "broken"))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("channel provider 'broken' is unavailable: kernel refused SO_ZEROCOPY")
                .hasCauseInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void noAvailableProviderFailsNamingThePlatformAndEveryCause() {
        assertThatThrownBy(() -> ChannelProviders.select(List.of(BROKEN), null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no channel provider is available on " + System.getProperty("os.name"))
                .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
    }

    @Test
    void passingOverAProviderIsLoggedOnceAtInfo() {
        RecordingLogger log = new RecordingLogger();
        StubProvider broken = new StubProvider("broken-once", 300, new IllegalStateException("switched off"));

        ChannelProviders.selectAndLog(List.of(COPY, broken), null, log);
        ChannelProviders.selectAndLog(List.of(COPY, broken), null, log);

        assertThat(log.infoLines()).containsExactly(
                "using channel provider 'copy'; passed over 'broken-once': switched off");
    }

    @Test
    void choosingTheBestProviderWithNothingPassedOverLogsNothingAtInfo() {
        RecordingLogger log = new RecordingLogger();

        ChannelProviders.selectAndLog(List.of(COPY, new StubProvider("quiet", 5, null)), null, log);

        assertThat(log.infoLines()).isEmpty();
    }

    @Test
    void theCopyingProviderIsAlwaysFoundByServiceLoader() {
        assertThat(ChannelProviders.all()).extracting(ChannelProvider::name).contains("copy");
        assertThat(ChannelProviders.named("copy").isAvailable()).isTrue();
    }

    @Test
    void thePropertyForcesTheCopyingProvider() {
        String old = System.getProperty(ChannelProviders.PROVIDER_PROPERTY);
        System.setProperty(ChannelProviders.PROVIDER_PROPERTY, "copy");
        try {
            assertThat(ChannelProviders.select().chosen().name()).isEqualTo("copy");
        } finally {
            if (old == null) {
                System.clearProperty(ChannelProviders.PROVIDER_PROPERTY);
            } else {
                System.setProperty(ChannelProviders.PROVIDER_PROPERTY, old);
            }
        }
    }
}
