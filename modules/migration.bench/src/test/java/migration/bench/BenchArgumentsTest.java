package migration.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchArgumentsTest {

    @Test
    void sizesTakeBinarySuffixesInAnyCase() {
        assertThat(BenchArguments.parseSize("2g")).isEqualTo(2L << 30);
        assertThat(BenchArguments.parseSize("512MiB")).isEqualTo(512L << 20);
        assertThat(BenchArguments.parseSize("8m")).isEqualTo(8L << 20);
        assertThat(BenchArguments.parseSize("64K")).isEqualTo(64L << 10);
        assertThat(BenchArguments.parseSize("4096")).isEqualTo(4096);
        assertThat(BenchArguments.parseSize(" 1gb ")).isEqualTo(1L << 30);
    }

    @Test
    void aSizeThatIsNotANumberIsRefusedWithWhatIsExpected() {
        assertThatThrownBy(() -> BenchArguments.parseSize("lots"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--size expects a number of bytes with an optional k, m or g suffix (such as 2g or 512m),"
                        + " but got 'lots'");
    }

    @Test
    void aSizeBelowOnePageIsRefused() {
        assertThatThrownBy(() -> BenchArguments.parseSize("100"))
                .hasMessage("--size must be at least one page (4096 bytes), but got '100'");
    }

    @Test
    void theWarmUpIsASizeOrZero() {
        assertThat(BenchArguments.parseWarmUp("0")).isZero();
        assertThat(BenchArguments.parseWarmUp("2g")).isEqualTo(2L << 30);
        assertThatThrownBy(() -> BenchArguments.parseWarmUp("x"))
                .hasMessageStartingWith("--warm-up expects a number of bytes");
    }

    @Test
    void channelListsKeepTheirOrderAndDropDuplicates() {
        assertThat(BenchArguments.parseChannels("1,2,4,8")).containsExactly(1, 2, 4, 8);
        assertThat(BenchArguments.parseChannels("4, 1,4")).containsExactly(4, 1);
    }

    @Test
    void aChannelCountOutOfRangeIsRefusedNamingIt() {
        assertThatThrownBy(() -> BenchArguments.parseChannels("1,256"))
                .hasMessage("--channels expects comma-separated channel counts from 1 to 255, such as 1,2,4,8, but"
                        + " got '1,256' ('256' is not one)");
        assertThatThrownBy(() -> BenchArguments.parseChannels("1,,2")).hasMessageStartingWith("--channels expects");
    }

    @Test
    void modesAndDestinationsAreParsedByTheirLabels() {
        assertThat(BenchArguments.parseModes("ceiling,linux-zero-copy"))
                .containsExactly(Mode.CEILING, Mode.LINUX_ZERO_COPY);
        assertThat(BenchArguments.parseDestinations("pre-touched,fresh"))
                .containsExactly(DestinationKind.PRE_TOUCHED, DestinationKind.FRESH);
        assertThatThrownBy(() -> BenchArguments.parseModes("ceiling,fast"))
                .hasMessageContaining("'fast' is not one");
    }

    @Test
    void switchesAreOnOrOff() {
        assertThat(BenchArguments.parseSwitch("--prefault", "on")).isTrue();
        assertThat(BenchArguments.parseSwitch("--prefault", "OFF")).isFalse();
        assertThatThrownBy(() -> BenchArguments.parseSwitch("--prefault", "maybe"))
                .hasMessage("--prefault expects on or off, but got 'maybe'");
    }

    @Test
    void theConfigurationsAreGroupedByDestinationWithTheCeilingFirst() {
        BenchOptions options = new BenchOptions(1 << 20, List.of(1, 2), List.of(Mode.CEILING, Mode.COPY_PROVIDER),
                List.of(DestinationKind.FRESH, DestinationKind.PRE_TOUCHED), true, true, true, 0, 1, false, null, null);
        assertThat(options.configurations()).extracting(c -> c.mode().label() + "/" + c.channels() + "/"
                        + c.destination().label())
                .containsExactly("ceiling/1/fresh", "ceiling/2/fresh", "copy-provider/1/fresh",
                        "copy-provider/2/fresh", "ceiling/1/pre-touched", "ceiling/2/pre-touched",
                        "copy-provider/1/pre-touched", "copy-provider/2/pre-touched");
    }

    @Test
    void repeatAcceptsOneToAHundredRuns() {
        assertThat(BenchArguments.parseRepeat("1")).isEqualTo(1);
        assertThat(BenchArguments.parseRepeat(" 100 ")).isEqualTo(100);
        for (String bad : new String[] {"0", "101", "-3", "three", ""}) {
            assertThatThrownBy(() -> BenchArguments.parseRepeat(bad))
                    .hasMessage("--repeat expects a whole number from 1 to 100, but got '" + bad + "'");
        }
    }

    @Test
    void aWorkerSpecSurvivesTheCommandLine() {
        WorkerSpec spec = new WorkerSpec(WorkerSpec.Role.SOURCE,
                new Configuration(Mode.LINUX_COPY, 4, DestinationKind.FRESH, true, false, true), 8L << 20, List.of(40124, 40125), 1L << 30);
        assertThat(WorkerSpec.parse(spec.toArgument())).isEqualTo(spec);
    }

    @Test
    void aWorkerSpecWithoutWarmUpSurvivesTheCommandLine() {
        WorkerSpec spec = new WorkerSpec(WorkerSpec.Role.DESTINATION,
                new Configuration(Mode.CEILING, 1, DestinationKind.PRE_TOUCHED, false, false, true), 8L << 20, List.of(), 0);
        assertThat(WorkerSpec.parse(spec.toArgument())).isEqualTo(spec);
    }

    @Test
    void aWorkerReadsThePortOfGoAndRefusesAnythingElseSayingWhatItGot() throws Exception {
        assertThat(BenchWorker.portOf("GO 40123", "GO")).isEqualTo(40123);
        for (String bad : new String[] {"GO", "GO 0", "GO 65536", "GO x", "STOP 40123", "GO 1 2"}) {
            assertThatThrownBy(() -> BenchWorker.portOf(bad, "GO"))
                    .hasMessage("expected 'GO <port>' from the benchmark runner, but got '" + bad + "'");
        }
    }

    @Test
    void aWorkerSpecWithoutAFieldIsRefusedNamingIt() {
        assertThatThrownBy(() -> WorkerSpec.parse("role=source,mode=ceiling"))
                .hasMessage("--worker: field 'channels' missing in 'role=source,mode=ceiling'");
    }

    @Test
    void aSideReportSurvivesItsLine() {
        SideReport report = new SideReport(1_234_000_000L, 2_000_000_000L, 2L << 30, 4096, 4090, 17);
        assertThat(SideReport.parse(report.toLine())).isEqualTo(report);
        assertThatThrownBy(() -> SideReport.parse("RESULT cpu-ns=1 bytes=2"))
                .hasMessage("field 'wall-ns' missing in 'RESULT cpu-ns=1 bytes=2'");
    }
}
