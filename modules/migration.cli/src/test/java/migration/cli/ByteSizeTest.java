package migration.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeTest {

    @ParameterizedTest(name = "''{0}'' is {1} bytes")
    @CsvSource({
        "4096, 4096",
        "512k, 524288",
        "64m, 67108864",
        "64M, 67108864",
        "1g, 1073741824",
        "1G, 1073741824",
        "2t, 2199023255552",
        "1.5g, 1610612736",
        "1.5k, 1536",
        "8mib, 8388608",
        "8MiB, 8388608",
        "8mb, 8388608",
        "100b, 100",
        "' 64m ', 67108864",
    })
    void sizesUseBinaryUnitsAndIgnoreCase(String text, long bytes) {
        assertThat(ByteSize.parseSize(text)).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"abc", "", " ", "0", "0k", "-1", "-64m", "1x", "m", "1.2.3g", "1e3", "0x10", "64 m b"})
    void garbageZeroAndNegativeSizesAreRejectedWithWhatWasExpected(String text) {
        assertThatThrownBy(() -> ByteSize.parseSize(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected a positive size such as 512m or 2g");
    }

    @Test
    void aSizeAboveTheLargestLongIsRejectedAsTooLarge() {
        assertThatThrownBy(() -> ByteSize.parseSize("8388608t"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("too large: at most 9223372036854775807 bytes");
    }

    @Test
    void aHugeDecimalNumberIsRejectedAsTooLarge() {
        assertThatThrownBy(() -> ByteSize.parseSize("99999999999999999999999"))
                .hasMessageStartingWith("too large");
    }

    @Test
    void aFractionOfAByteIsRejected() {
        assertThatThrownBy(() -> ByteSize.parseSize("0.1k"))
                .hasMessageStartingWith("not a whole number of bytes (102.4)");
    }

    @ParameterizedTest(name = "''{0}'' is {1} bytes per second")
    @CsvSource({
        "0, 0",
        "100m, 104857600",
        "100m/s, 104857600",
        "1G/s, 1073741824",
        "4096, 4096",
    })
    void ratesAreSizesPerSecondAndZeroMeansUnlimited(String text, long bytesPerSecond) {
        assertThat(ByteSize.parseRate(text)).isEqualTo(bytesPerSecond);
    }

    @ParameterizedTest(name = "''{0}''")
    @ValueSource(strings = {"fast", "-1", "/s", "10m/h"})
    void badRatesAreRejectedWithWhatWasExpected(String text) {
        assertThatThrownBy(() -> ByteSize.parseRate(text))
                .hasMessageContaining("expected bytes per second such as 100m or 1g, or 0 for unlimited");
    }

    @ParameterizedTest(name = "{0} bytes read as ''{1}''")
    @CsvSource({
        "1, 1 byte",
        "4096, 4.00 KiB",
        "1023, 1023 bytes",
        "8388608, 8.00 MiB",
        "1610612736, 1.50 GiB",
        "9223372036854775807, 8.00 EiB",
    })
    void sizesAreFormattedInBinaryUnits(long bytes, String text) {
        assertThat(ByteSize.format(bytes)).isEqualTo(text);
    }
}
