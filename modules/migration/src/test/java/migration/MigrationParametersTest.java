package migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MigrationParametersTest {

    @Test
    void defaultsAreTwoChannelsAutoUnlimitedBestProviderTenSecondsVerified() {
        assertThat(MigrationParameters.defaults()).isEqualTo(
                new MigrationParameters(2, ZeroCopyMode.AUTO, 0, null, Duration.ofSeconds(10), true));
    }

    @Test
    void withersChangeOneParameterEach() {
        MigrationParameters params = MigrationParameters.defaults().withChannels(8).withZeroCopy(ZeroCopyMode.ON)
                .withMaxBandwidth(1000).withProvider("copy").withSetupTimeout(Duration.ofSeconds(3)).withVerify(false);
        assertThat(params).isEqualTo(new MigrationParameters(8, ZeroCopyMode.ON, 1000, "copy", Duration.ofSeconds(3),
                false));
    }

    @Test
    void zeroChannelsAreRejectedWithQemusMessage() {
        assertThatThrownBy(() -> MigrationParameters.defaults().withChannels(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Parameter 'channels' expects a value between 1 and 255");
    }

    @Test
    void twoHundredFiftySixChannelsAreRejected() {
        assertThatThrownBy(() -> MigrationParameters.defaults().withChannels(256))
                .hasMessage("Parameter 'channels' expects a value between 1 and 255");
    }

    @Test
    void aNegativeBandwidthIsRejectedWithQemusMessage() {
        assertThatThrownBy(() -> MigrationParameters.defaults().withMaxBandwidth(-1))
                .hasMessage("Parameter 'max-bandwidth' expects an integer in the range of 0 to 9223372036854775807"
                        + " bytes/second");
    }

    @Test
    void aBlankProviderIsRejected() {
        assertThatThrownBy(() -> MigrationParameters.defaults().withProvider(" "))
                .hasMessageStartingWith("Parameter 'provider' expects the name of a channel provider");
    }

    @Test
    void aZeroSetupTimeoutIsRejected() {
        assertThatThrownBy(() -> MigrationParameters.defaults().withSetupTimeout(Duration.ZERO))
                .hasMessage("Parameter 'setup-timeout' expects a duration between 1 ms and 24 h, but got PT0S");
    }

    @Test
    void aMissingZeroCopyModeIsRejected() {
        assertThatThrownBy(() -> MigrationParameters.defaults().withZeroCopy(null))
                .hasMessage("Parameter 'zero-copy' expects one of on, auto, off");
    }

    @Test
    void theLivenessAndProgressTimeoutsAndTheConnectionBoundHaveDefaults() {
        MigrationParameters params = MigrationParameters.defaults();
        assertThat(params.livenessTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(params.progressTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(params.maxUnidentifiedConnections()).isEqualTo(256);
    }

    @Test
    void withersSetTheNewKnobs() {
        MigrationParameters params = MigrationParameters.defaults().withLivenessTimeout(Duration.ofMillis(5))
                .withProgressTimeout(Duration.ofSeconds(2)).withMaxUnidentifiedConnections(4);
        assertThat(params).isEqualTo(new MigrationParameters(2, ZeroCopyMode.AUTO, 0, null, Duration.ofSeconds(10),
                true, Duration.ofMillis(5), Duration.ofSeconds(2), 4));
    }

    @Test
    void aLivenessTimeoutBelowOneMillisecondIsRejected() {
        assertThatThrownBy(() -> MigrationParameters.defaults().withLivenessTimeout(Duration.ofNanos(999_999)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Parameter 'liveness-timeout' expects a duration between 1 ms and 24 h, but got PT0.000999999S");
    }

    @Test
    void aProgressTimeoutAboveADayIsRejected() {
        assertThatThrownBy(() -> MigrationParameters.defaults().withProgressTimeout(Duration.ofHours(25)))
                .hasMessage("Parameter 'progress-timeout' expects a duration between 1 ms and 24 h, but got PT25H");
    }

    @Test
    void aMissingProgressTimeoutIsRejected() {
        assertThatThrownBy(() -> MigrationParameters.defaults().withProgressTimeout(null))
                .hasMessage("Parameter 'progress-timeout' expects a duration between 1 ms and 24 h, but got null");
    }

    @Test
    void aBoundOfOneUnidentifiedConnectionIsRejected() {
        assertThatThrownBy(() -> MigrationParameters.defaults().withMaxUnidentifiedConnections(1))
                .hasMessage("Parameter 'max-unidentified-connections' expects a value between 2 and 4096");
    }

    @Test
    void zeroCopyModesParseIgnoringCase() {
        assertThat(ZeroCopyMode.parse("ON")).isEqualTo(ZeroCopyMode.ON);
        assertThat(ZeroCopyMode.parse(" auto ")).isEqualTo(ZeroCopyMode.AUTO);
        assertThat(ZeroCopyMode.parse("Off")).isEqualTo(ZeroCopyMode.OFF);
    }

    @Test
    void anUnknownZeroCopyModeNamesTheAcceptedValues() {
        assertThatThrownBy(() -> ZeroCopyMode.parse("yes")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Parameter 'zero-copy' expects one of on, auto, off, but got 'yes'");
    }

    @Test
    void statusesHaveQemusLowerCaseNamesAndKnowWhenTheyAreFinal() {
        assertThat(MigrationStatus.CANCELLED.jsonName()).isEqualTo("cancelled");
        assertThat(MigrationStatus.SETUP.isFinal()).isFalse();
        assertThat(MigrationStatus.ACTIVE.isFinal()).isFalse();
        assertThat(MigrationStatus.COMPLETED.isFinal()).isTrue();
        assertThat(MigrationStatus.FAILED.isFinal()).isTrue();
    }

    @Test
    void aBlockNameLongerThan255Utf8BytesIsRejected() {
        String name = "\u00e9".repeat(128);
        assertThatThrownBy(() -> RamBlock.anonymous(name, 4096, Arena.global()))
                .hasMessageContaining("1 to 255 bytes of UTF-8").hasMessageContaining("has 256");
    }

    @Test
    void aHeapSegmentIsNotABlock() {
        assertThatThrownBy(() -> RamBlock.of("ram0", java.lang.foreign.MemorySegment.ofArray(new byte[4096])))
                .hasMessageContaining("must be native memory");
    }

    @Test
    void aSourceWithoutBlocksDoesNotStart() {
        assertThatThrownBy(() -> MigrationSource.start(new java.net.InetSocketAddress("127.0.0.1", 9),
                java.util.List.of(), MigrationParameters.defaults())).isInstanceOf(MigrationException.class)
                .hasMessage("nothing to migrate: no ram blocks");
    }

    @Test
    void twoBlocksWithOneNameDoNotStart() {
        RamBlock a = RamBlock.anonymous("ram0", 4096, Arena.global());
        RamBlock b = RamBlock.anonymous("ram0", 4096, Arena.global());
        assertThatThrownBy(() -> MigrationSource.start(new java.net.InetSocketAddress("127.0.0.1", 9),
                java.util.List.of(a, b), MigrationParameters.defaults())).hasMessage("two ram blocks are named 'ram0'");
    }
}
