package io.channel.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CipherSpeedTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"})
    void theCipherOfEveryTls13SuiteSealsAndOpensRecords(String suite) {
        CipherSpeed speed = CipherSpeed.measure(suite, Duration.ofMillis(5), Duration.ofMillis(50));

        assertThat(speed.cipherSuite()).isEqualTo(suite);
        assertThat(speed.sealBytesPerSecond()).isPositive();
        assertThat(speed.openBytesPerSecond()).isPositive();
        assertThat(speed.cpuSecondsPerGib()).isEqualTo((1L << 30) / speed.sealBytesPerSecond()
                + (1L << 30) / speed.openBytesPerSecond());
    }

    @Test
    void theLineNamesTheCipherBothSpeedsAndTheCostForBothEnds() {
        CipherSpeed speed = new CipherSpeed("TLS_AES_128_GCM_SHA256", 9.4e9, 4.1e9, Duration.ofMillis(600), true);

        assertThat(speed.describe()).isEqualTo("AES-128-GCM seals 9.4 GB/s and opens 4.1 GB/s on one core (in place,"
                + " as the JDK's TLS does): 0.38 CPU-s/GiB for both ends");
    }

    @Test
    void theJsonMembersGiveEveryFigure() {
        CipherSpeed speed = new CipherSpeed("TLS_AES_256_GCM_SHA384", 8.0e9, 4.0e9, Duration.ofMillis(700), false);

        assertThat(speed.jsonMembers()).containsExactly(entry("cipher-suite", "TLS_AES_256_GCM_SHA384"),
                entry("cipher", "AES-256-GCM"), entry("seal-bytes-per-second", 8_000_000_000L),
                entry("open-bytes-per-second", 4_000_000_000L), entry("cpu-s-per-gib-both-ends", 0.403),
                entry("warm-up-ms", 700L), entry("settled", false));
    }

    @Test
    void aJitThatHadNotSettledIsSaidToUnderstateTheCipher() {
        CipherSpeed speed = new CipherSpeed("TLS_CHACHA20_POLY1305_SHA256", 1e8, 1e8, Duration.ofMillis(50), false);

        assertThat(speed.describe()).startsWith("ChaCha20-Poly1305 seals 0.1 GB/s")
                .endsWith("; the JIT had not settled after 50 ms, so this understates it");
    }

    @Test
    void anUnknownSuiteIsRefusedNamingTheKnownOnes() {
        assertThatThrownBy(() -> CipherSpeed.measure("TLS_RSA_WITH_RC4_128_MD5"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown TLS 1.3 cipher suite 'TLS_RSA_WITH_RC4_128_MD5'; expected one of"
                        + " TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256");
    }

    @Test
    void aWindowThatIsNotPositiveIsRefused() {
        assertThatThrownBy(() -> CipherSpeed.measure("TLS_AES_128_GCM_SHA256", Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window must be positive");
    }
}
