package migration.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code multifd bench --handover}'s figures, from the tool's statistics to the report, with no process run. */
class HandoverReportTest {

    private static final Machine MACHINE = Machine.current();

    @Test
    void aLiveRunsFiguresComeFromTheSourcesStatistics() throws IOException {
        HandoverReport.Run run = HandoverRunner.parse(List.of("{\"status\":\"completed\",\"total-time\":182,"
                + "\"setup-time\":124,\"write-protect-time\":19,\"expected-downtime\":9,\"downtime\":3,\"ram\":{}}",
                "usage 1 2 3"), true);

        assertThat(run).isEqualTo(new HandoverReport.Run(182, 124, 3, 19));
    }

    @Test
    void aCopyingRunHasNoDowntimeAndStatisticsWithoutATotalAreRefused() throws IOException {
        assertThat(HandoverRunner.parse(List.of("{\"total-time\":805,\"setup-time\":99,\"downtime\":805}"), false)
                .downtimeMillis()).isEqualTo(-1);
        assertThatThrownBy(() -> HandoverRunner.parse(List.of("multifd send: failed"), false))
                .isInstanceOf(IOException.class).hasMessageContaining("total-time").hasMessageContaining("failed");
    }

    @Test
    void theTableGivesTheMediansPerSizeAndKind() {
        HandoverReport report = new HandoverReport("2026-12-07T18:00:00Z", "multifd bench --handover", MACHINE,
                List.of(new HandoverReport.Row(HandoverReport.Kind.HANDOVER, 1L << 30, List.of(
                                new HandoverReport.Run(182, 124, 3, 19), new HandoverReport.Run(189, 127, 4, 20),
                                new HandoverReport.Run(500, 300, 9, 60)), null),
                        new HandoverReport.Row(HandoverReport.Kind.COPY_TCP, 1L << 30, List.of(), "failed: no room")));

        assertThat(report.markdown())
                .contains("| 1 GiB | handover | 3 | 189 | 127 | 4 | 20 |")
                .contains("| 1 GiB | copy-tcp | 0 | - | - | - | - (failed: no room) |");
        assertThat(report.json()).contains("\"kind\":\"handover\"").contains("\"downtime-ms\":4")
                .contains("\"write-protect-ms\":20")
                .contains("\"skipped\":\"failed: no room\"");
        assertThat(report.anyMeasured()).isTrue();
    }
}
