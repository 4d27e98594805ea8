package io.channel.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import testkit.RecordingLogger;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryProvidersTest {

    /** A memory provider that is available or not, as told, and allocates nothing. */
    record StubProvider(String name, int priority, Throwable unavailabilityCause) implements MemoryProvider {
        @Override
        public boolean isAvailable() {
            return unavailabilityCause == null;
        }

        @Override
        public MemorySegment allocate(long byteSize, boolean hugePages, Arena arena) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean allocatesUntouched() {
            return false;
        }

        @Override
        public boolean populate(MemorySegment segment) {
            return false;
        }
    }

    private static final StubProvider PORTABLE = new StubProvider("portable", 0, null);
    private static final StubProvider PLATFORM = new StubProvider("platform", 100, null);
    private static final StubProvider NO_ACCESS = new StubProvider("no-access", 100,
            new UnsupportedOperationException("native access is not enabled"));

    @Test
    void theHighestPriorityAvailableProviderIsChosen() {
        var selection = MemoryProviders.select(List.of(PORTABLE, PLATFORM), null);

        assertThat(selection.chosen()).isSameAs(PLATFORM);
        assertThat(selection.forced()).isFalse();
    }

    @Test
    void aNamedProviderIsUsedEvenWithALowerPriority() {
        var selection = MemoryProviders.select(List.of(PORTABLE, PLATFORM), "portable");

        assertThat(selection.chosen()).isSameAs(PORTABLE);
        assertThat(selection.describe()).isEqualTo("using memory provider 'portable' (forced by "
                + "-Dio.channel.memory.provider=portable); passed over 'platform' (not requested)");
    }

    @Test
    void fallingBackIsLoggedOnceAtInfoNamingTheChosenProviderAndWhyTheOtherWasRejected() {
        RecordingLogger log = new RecordingLogger();

        MemoryProviders.selectAndLog(List.of(PORTABLE, NO_ACCESS), null, log);
        MemoryProviders.selectAndLog(List.of(PORTABLE, NO_ACCESS), null, log);

        assertThat(log.infoLines()).containsExactly(
                "using memory provider 'portable'; passed over 'no-access': native access is not enabled");
    }

    @Test
    void anUnknownNameFailsListingTheProvidersFound() {
        assertThatThrownBy(() -> MemoryProviders.select(List.of(PORTABLE, PLATFORM), "nope"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("-Dio.channel.memory.provider=nope names no memory provider; found: [platform, portable]");
    }

    @Test
    void aNamedButUnavailableProviderFailsWithItsCause() {
        assertThatThrownBy(() -> MemoryProviders.select(List.of(PORTABLE, NO_ACCESS), "no-access"))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessage("memory provider 'no-access' is unavailable: native access is not enabled")
                .hasCause(NO_ACCESS.unavailabilityCause());
    }

    @Test
    void thePropertyForcesThePortableProvider() {
        String old = System.getProperty(MemoryProviders.PROVIDER_PROPERTY);
        System.setProperty(MemoryProviders.PROVIDER_PROPERTY, "portable");
        try {
            var selection = MemoryProviders.select();

            assertThat(selection.chosen().name()).isEqualTo("portable");
            assertThat(selection.forced()).isTrue();
        } finally {
            if (old == null) {
                System.clearProperty(MemoryProviders.PROVIDER_PROPERTY);
            } else {
                System.setProperty(MemoryProviders.PROVIDER_PROPERTY, old);
            }
        }
    }

    @Test
    void thePortableProviderIsAlwaysFoundByServiceLoader() {
        assertThat(MemoryProviders.all()).extracting(MemoryProvider::name).contains("portable");
        assertThat(MemoryProviders.named("portable").isAvailable()).isTrue();
    }
}
