package migration.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.tls.CipherSpeed;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import testkit.JsonReader;

class CipherSpeedChildTest {

    private static final long GIB = 1L << 30;
    private static final Machine MACHINE = ColdRowsTest.MACHINE;

    @Test
    void theChildsLineGivesBackWhatItMeasured() throws IOException {
        CipherSpeed speed = new CipherSpeed("TLS_AES_128_GCM_SHA256", 9.4e9, 4.1e9, Duration.ofMillis(812), true);

        assertThat(CipherSpeedChild.line(speed)).isEqualTo("CIPHER TLS_AES_128_GCM_SHA256 9400000000 4100000000 812"
                + " true");
        assertThat(CipherSpeedChild.parse(CipherSpeedChild.line(speed))).isEqualTo(speed);
    }

    @Test
    void aLineThatIsNotTheChildsIsRefusedQuotingIt() {
        assertThatThrownBy(() -> CipherSpeedChild.parse("CIPHER TLS_AES_128_GCM_SHA256 fast"))
                .isInstanceOf(IOException.class)
                .hasMessage("not a cipher speed line: 'CIPHER TLS_AES_128_GCM_SHA256 fast'");
    }

    @Test
    void theChildMeasuresTheSuiteItIsGivenAndPrintsOneLine() throws IOException {
        StringWriter out = new StringWriter();

        int status = CipherSpeedChild.run(new PrintWriter(out), "TLS_CHACHA20_POLY1305_SHA256");

        assertThat(status).isZero();
        assertThat(CipherSpeedChild.parse(out.toString().strip()).cipherSuite())
                .isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
    }

    @Test
    void theReportSaysWhatBoundsItsTlsRowsInItsHeaderAndItsJson() {
        CipherSpeed speed = new CipherSpeed("TLS_AES_128_GCM_SHA256", 9.4e9, 4.1e9, Duration.ofMillis(812), true);
        BenchReport report = new BenchReport("d", "c", MACHINE, 2 * GIB, List.of(), List.of(), speed);

        assertThat(report.markdown()).contains("- cipher of the TLS rows: TLS_AES_128_GCM_SHA256, AES-128-GCM seals 9.4"
                + " GB/s and opens 4.1 GB/s on one core (in place, as the JDK's TLS does): 0.38 CPU-s/GiB for both"
                + " ends (measured in a JVM started as the steady-state workers are, after 812 ms of warm-up)");
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) JsonReader.object(report.json()).get("cipher-speed");
        assertThat(json).containsEntry("cipher-suite", "TLS_AES_128_GCM_SHA256").containsEntry("cipher", "AES-128-GCM")
                .containsEntry("seal-bytes-per-second", 9_400_000_000L).containsEntry("settled", true);
    }

    @Test
    void aReportWithoutTlsRowsNamesNoCipher() {
        BenchReport report = new BenchReport("d", "c", MACHINE, 2 * GIB, List.of(), List.of());

        assertThat(report.markdown()).doesNotContain("cipher");
        assertThat(JsonReader.object(report.json())).doesNotContainKey("cipher-speed");
    }
}
