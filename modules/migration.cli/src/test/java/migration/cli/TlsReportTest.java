package migration.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationSource;
import migration.RamBlock;
import migration.ZeroCopyMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testkit.JsonReader;

/** What {@code multifd info} says becomes of zero-copy under TLS is what the library does. */
class TlsReportTest {

    @Test
    void theRefusalOfZeroCopyOnUnderTlsIsTheLibrarysWordForWord() {
        DemoCredentials tls = DemoCredentials.make();
        MigrationParameters params = MigrationParameters.defaults().withZeroCopy(ZeroCopyMode.ON)
                .withTls(tls.source());
        try (Arena arena = Arena.ofShared()) {
            List<RamBlock> blocks = List.of(RamBlock.anonymous("ram0", 4096, arena));
            // Refused before connecting: nothing needs to listen at the address.
            assertThatThrownBy(() -> MigrationSource.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9),
                    blocks, params).close())
                    .isInstanceOf(MigrationException.class)
                    .hasMessage(TlsReport.TLS_REFUSES_ZERO_COPY);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theReasonForCopyingUnderTlsIsTheOneATlsMigrationReports() {
        Run demo = Run.of("demo", "--tls", "--size", "1m", "--json");

        assertThat(demo.exitCode()).as(demo.err()).isZero();
        @SuppressWarnings("unchecked")
        Map<String, Object> zeroCopy = (Map<String, Object>) JsonReader.object(demo.out()).get("zero-copy");
        assertThat(zeroCopy).containsEntry("mode", "auto").containsEntry("reason", TlsReport.COPYING_FOR_TLS);
    }
}
