package migration.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import testkit.JsonReader;

/** The cold-ceiling rows: their mode, their configurations, the report's comparison, their failures. */
class ColdCeilingRowsTest {

    private static final long GIB = 1L << 30;
    private static final Machine MACHINE = ColdRowsTest.MACHINE;

    private static ColdConfiguration config(Mode mode, int channels, DestinationKind destination, boolean inPlace) {
        return ColdRowsTest.config(mode, channels, destination, inPlace);
    }

    /** A result of one run moving 2 GiB in {@code seconds}, with each whole process's CPU and half of it in windows. */
    private static ColdResult result(ColdConfiguration c, double seconds, double cpuSrc, double cpuDst) {
        return ColdRowsTest.result(c, seconds, cpuSrc, cpuDst, 0.5);
    }

    private static BenchOptions options(List<Mode> modes, List<DestinationKind> destinations) {
        return ColdRowsTest.options(modes, destinations);
    }

    @Test
    void coldCeilingIsAColdModeParsedByItsLabelWithoutTls() {
        assertThat(BenchArguments.parseModes("cold,cold-ceiling")).containsExactly(Mode.COLD, Mode.COLD_CEILING);
        assertThat(Mode.COLD_CEILING.cold()).isTrue();
        assertThat(Mode.COLD_CEILING.tls()).isFalse();
        assertThat(Mode.COLD_CEILING.provider()).isNull();
        assertThatThrownBy(() -> BenchArguments.parseModes("cold-cieling")).hasMessageContaining("cold-ceiling");
    }

    @Test
    void eachColdRowFollowsItsCeilingOfTheSameChannelsAndDestinationFile() {
        BenchOptions options = options(List.of(Mode.TLS_COLD, Mode.COLD, Mode.COLD_CEILING),
                List.of(DestinationKind.PRE_TOUCHED));

        assertThat(options.coldConfigurations()).extracting(ColdConfiguration::describe).containsExactly(
                "cold-ceiling, 1 channel, pre-touched", "cold, 1 channel, pre-touched",
                "tls-cold, 1 channel, pre-touched",
                "cold-ceiling, 2 channels, pre-touched", "cold, 2 channels, pre-touched",
                "tls-cold, 2 channels, pre-touched",
                "cold-ceiling, 1 channel, pre-touched, --in-place", "cold, 1 channel, pre-touched, --in-place",
                "tls-cold, 1 channel, pre-touched, --in-place",
                "cold-ceiling, 2 channels, pre-touched, --in-place", "cold, 2 channels, pre-touched, --in-place",
                "tls-cold, 2 channels, pre-touched, --in-place");
        assertThat(options.configurations()).as("no steady-state configuration").isEmpty();
    }

    @Test
    void coldAloneHasNoCeilingRowsAndTheCeilingAloneIsACold() {
        assertThat(options(List.of(Mode.COLD), List.of(DestinationKind.FRESH)).coldConfigurations())
                .extracting(ColdConfiguration::mode).containsOnly(Mode.COLD);
        BenchOptions ceilingOnly = options(List.of(Mode.COLD_CEILING), List.of(DestinationKind.FRESH));
        assertThat(ceilingOnly.cold()).isTrue();
        assertThat(ceilingOnly.coldConfigurations()).extracting(ColdConfiguration::describe)
                .containsExactly("cold-ceiling, 1 channel, fresh", "cold-ceiling, 2 channels, fresh");
    }

    @Test
    void eachColdRowGivesItsPercentOfTheCeilingAndItsCpuRatioToIt() {
        ColdResult ceiling = result(config(Mode.COLD_CEILING, 2, DestinationKind.PRE_TOUCHED, false), 1.0, 0.5, 0.5);
        ColdResult ceilingInPlace = result(config(Mode.COLD_CEILING, 2, DestinationKind.PRE_TOUCHED, true), 0.5,
                0.4, 0.4);
        ColdResult cold = result(config(Mode.COLD, 2, DestinationKind.PRE_TOUCHED, false), 4.0, 1.5, 1.5);
        ColdResult coldInPlace = result(config(Mode.COLD, 2, DestinationKind.PRE_TOUCHED, true), 1.0, 1.0, 1.0);
        ColdResult tls = result(config(Mode.TLS_COLD, 2, DestinationKind.PRE_TOUCHED, false), 5.0, 2.0, 2.0);
        BenchReport report = new BenchReport("d", "c", MACHINE, 2 * GIB, List.of(),
                List.of(ceiling, cold, tls, ceilingInPlace, coldInPlace));

        assertThat(report.coldCeilingFor(cold)).contains(ceiling);
        assertThat(report.coldCeilingFor(coldInPlace)).as("in place against the in-place ceiling")
                .contains(ceilingInPlace);
        assertThat(report.coldCeilingFor(tls)).contains(ceiling);
        assertThat(report.coldCeilingFor(ceiling)).isEmpty();
        assertThat(cold.percentOf(ceiling)).isCloseTo(25.0, within(1e-9));
        assertThat(cold.cpuRatioTo(ceiling)).isCloseTo(3.0, within(1e-9));
        assertThat(coldInPlace.percentOf(ceilingInPlace)).isCloseTo(50.0, within(1e-9));
        assertThat(coldInPlace.cpuRatioTo(ceilingInPlace)).isCloseTo(2.5, within(1e-9));
        assertThat(report.coldTable()).contains(
                "| cold-ceiling | 2 | pre-touched | 2.00 | — | — | 1.000 |",
                "| cold | 2 | pre-touched | 0.50 | 25% | 3.00× | 4.000 |",
                "| tls-cold | 2 | pre-touched | 0.40 | 20% | 4.00× | 5.000 |",
                "| cold | 2 | pre-touched, --in-place | 2.00 | 50% | 2.50× | 1.000 |");
        assertThat(report.markdown()).contains("cold-ceiling rows: the cold rows' twin without multifd's protocol.");
    }

    @Test
    void aRowWhoseCeilingWasSkippedHasNoComparison() {
        ColdConfiguration ceiling = config(Mode.COLD_CEILING, 1, DestinationKind.FRESH, false);
        ColdResult cold = result(config(Mode.COLD, 1, DestinationKind.FRESH, false), 2.0, 1.0, 1.0);
        BenchReport report = new BenchReport("d", "c", MACHINE, 2 * GIB, List.of(),
                List.of(ColdResult.skipped(ceiling, "failed: no space"), cold));

        assertThat(report.coldCeilingFor(cold)).isEmpty();
        assertThat(cold.percentOf(null)).isNaN();
        assertThat(report.coldTable()).contains("| cold | 1 | fresh | 1.00 | — | — | 2.000 |",
                "| cold-ceiling | 1 | fresh | skipped: failed: no space |");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) JsonReader.object(report.json()).get("cold");
        assertThat(rows.get(1)).containsEntry("percent-of-cold-ceiling", null)
                .containsEntry("cpu-ratio-to-cold-ceiling", null);
    }

    @Test
    void theJsonGivesEachColdRowItsRatiosToTheCeiling() {
        ColdResult ceiling = result(config(Mode.COLD_CEILING, 4, DestinationKind.FRESH, false), 1.0, 1.0, 1.0);
        ColdResult cold = result(config(Mode.COLD, 4, DestinationKind.FRESH, false), 2.0, 2.0, 1.0);
        ceiling = new ColdResult(ceiling.configuration(), 2 * GIB, List.of(new ColdResult.Run(1.0, 1.5, 1.0, 1.0, 10,
                20, new ColdResult.Window(0.5, 0.5, 0.2, 0.2))), null);
        BenchReport report = new BenchReport("d", "c", MACHINE, 2 * GIB, List.of(), List.of(ceiling, cold));
        Map<String, Object> document = JsonReader.object(report.json());

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> rows = (List<Map<String, Object>>) document.get("cold");
        assertThat(rows).extracting(r -> r.get("mode")).containsExactly("cold-ceiling", "cold");
        assertThat(rows.get(0)).containsEntry("percent-of-cold-ceiling", null);
        assertThat((Double) rows.get(1).get("percent-of-cold-ceiling")).isCloseTo(50.0, within(1e-9));
        assertThat((Double) rows.get(1).get("cpu-ratio-to-cold-ceiling")).isCloseTo(1.5, within(1e-9));
        // Windows: the cold row's 1.5 CPU-s against the ceiling's 0.4.
        assertThat((Double) rows.get(1).get("window-cpu-ratio-to-cold-ceiling")).isCloseTo(3.75, within(1e-9));
        assertThat((String) document.get("cold-ceiling-note")).contains("No packets, no digests");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void theReceiverRefusesAStreamIndexOutOfRangeAndLeavesNoFile(@TempDir Path dir) throws Exception {
        Path into = dir.resolve("destination");
        try (ColdCeiling.Receiver receiver = new ColdCeiling.Receiver(into, false)) {
            CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> {
                try {
                    return receiver.receive();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, task -> Thread.ofPlatform().daemon().start(task));
            try (SocketChannel socket = SocketChannel.open(receiver.address())) {
                socket.write(ByteBuffer.allocate(16).putInt(2).putInt(2).putLong(4096).flip());
                assertThatThrownBy(() -> received.get(20, TimeUnit.SECONDS))
                        .hasMessageContaining("stream index 2 out of range for 2 streams");
            }
        }
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFailingCeilingProcessSkipsItsRowSayingWhichAndWhyAndLeavesNoFile(@TempDir Path dir) {
        // A stand-in for the tool: its receiver listens, leaves a temporary file and fails; its sender succeeds.
        // It is given 'bench cold-ceiling receive --into FILE' or 'bench cold-ceiling send ...'.
        List<String> tool = List.of("sh", "-c", "case \"$3\" in receive) echo 'listening on 127.0.0.1:9' >&2;"
                + " : > \"$(dirname \"$5\")/.multifd-bench-destination.0badf00d.partial\";"
                + " echo 'the disk is on fire' >&2; exit 3;; *) exit 0;; esac", "tool");
        ColdConfiguration row = config(Mode.COLD_CEILING, 2, DestinationKind.FRESH, false);
        StringWriter progress = new StringWriter();

        ColdResult result;
        try (ColdRunner runner = new ColdRunner(64 << 10, dir, tool, 30)) {
            result = runner.measure(row, null, 1, new PrintWriter(progress, true));
        }

        assertThat(result.isMeasured()).isFalse();
        assertThat(result.configuration()).isEqualTo(row);
        assertThat(result.skipped()).contains("multifd bench cold-ceiling receive failed (exit status 3)",
                "the disk is on fire");
        assertThat(dir).as("source, destination and the temporary file removed").isEmptyDirectory();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aCeilingProcessThatDoesNotEndInTimeIsKilledAndItsRowSkipped(@TempDir Path dir) {
        // The stand-in's sender hangs; the runner waits one second for it.
        List<String> tool = List.of("sh", "-c", "case \"$3\" in receive) echo 'listening on 127.0.0.1:9' >&2;"
                + " exec sleep 4241;; *) exec sleep 4242;; esac", "tool");
        ColdConfiguration row = config(Mode.COLD_CEILING, 1, DestinationKind.PRE_TOUCHED, true);

        ColdResult result;
        try (ColdRunner runner = new ColdRunner(64 << 10, dir, tool, 1)) {
            result = runner.measure(row, null, 1, new PrintWriter(new StringWriter(), true));
        }

        assertThat(result.skipped()).contains("multifd bench cold-ceiling send did not end within 1 s");
        assertThat(ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .flatMap(p -> p.info().arguments().stream()).flatMap(java.util.Arrays::stream))
                .as("no process left").doesNotContain("4241", "4242");
        assertThat(dir).isEmptyDirectory();
    }
}
