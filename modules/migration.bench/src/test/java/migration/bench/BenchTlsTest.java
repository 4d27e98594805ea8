package migration.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.channel.tls.TlsParameters;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import testkit.JsonReader;

/** The TLS rows of {@code multifd bench}: their modes, credentials, worker specs and report. */
class BenchTlsTest {

    private static final long GIB = 1L << 30;
    private static final Machine MACHINE =
            new Machine(2, "6.18.44", "Test CPU", "madvise", "linux (untouched mappings)");

    private static Configuration config(Mode mode, int channels, DestinationKind destination) {
        return new Configuration(mode, channels, destination, false, true, true);
    }

    /** A result moving 2 GiB in {@code seconds} with the given CPU seconds per side. */
    private static BenchResult result(Configuration c, double seconds, double cpuSrc, double cpuDst) {
        long bytes = 2 * GIB;
        return BenchResult.measured(c, new SideReport((long) (cpuSrc * 1e9), (long) (seconds * 1e9), bytes, 0, 0, 0),
                new SideReport((long) (cpuDst * 1e9), (long) (seconds * 1e9), bytes, 0, 0, 0));
    }

    @Test
    void eachTlsModeIsComparedWithItsProviderWithoutTlsAndNeverAsksForZeroCopy() {
        assertThat(BenchArguments.parseModes("tls-copy-provider,tls-linux-copy"))
                .containsExactly(Mode.TLS_COPY_PROVIDER, Mode.TLS_LINUX_COPY);
        assertThat(Mode.TLS_COPY_PROVIDER.withoutTls()).isEqualTo(Mode.COPY_PROVIDER);
        assertThat(Mode.TLS_LINUX_COPY.withoutTls()).isEqualTo(Mode.LINUX_COPY);
        for (Mode mode : List.of(Mode.TLS_COPY_PROVIDER, Mode.TLS_LINUX_COPY)) {
            assertThat(mode.tls()).isTrue();
            assertThat(mode.zeroCopy()).isFalse();
            assertThat(mode.provider()).isEqualTo(mode.withoutTls().provider());
        }
        assertThat(Mode.LINUX_COPY.tls()).isFalse();
        assertThat(Mode.CEILING.withoutTls()).isNull();
    }

    @Test
    void aTlsWorkerSpecCarriesItsCredentialsDirectoryThroughTheCommandLine() {
        WorkerSpec spec = new WorkerSpec(WorkerSpec.Role.DESTINATION, config(Mode.TLS_LINUX_COPY, 2,
                DestinationKind.FRESH), 8L << 20, List.of(), 1L << 30, Path.of("/tmp/multifd-bench-tls-1"));
        assertThat(WorkerSpec.parse(spec.toArgument())).isEqualTo(spec);
    }

    @Test
    void aTlsWorkerSpecWithoutCredentialsIsRefused() {
        assertThatThrownBy(() -> new WorkerSpec(WorkerSpec.Role.SOURCE, config(Mode.TLS_COPY_PROVIDER, 1,
                DestinationKind.FRESH), 8L << 20, List.of(), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("mode tls-copy-provider needs TLS credentials");
    }

    @Test
    void theCredentialsGiveEachSideItsOwnIdentityAndAreDeletedOnClose() throws Exception {
        Path directory;
        try (BenchCredentials credentials = BenchCredentials.create()) {
            directory = credentials.directory();
            TlsParameters source = BenchCredentials.parameters(directory, WorkerSpec.Role.SOURCE);
            TlsParameters destination = BenchCredentials.parameters(directory, WorkerSpec.Role.DESTINATION);
            assertThat(source.credentials().subject().getName()).isEqualTo("CN=multifd bench source");
            assertThat(destination.credentials().subject().getName()).isEqualTo("CN=multifd bench destination");
            assertThat(source.credentials().trustedCertificates())
                    .isEqualTo(destination.credentials().trustedCertificates());
            assertThat(credentials.toolOptions(WorkerSpec.Role.SOURCE)).containsExactly(
                    "--tls-ca", directory.resolve("ca.pem").toString(),
                    "--tls-cert", directory.resolve("source-cert.pem").toString(),
                    "--tls-key", directory.resolve("source-key.pem").toString());
            credentials.close();
            credentials.close();
        }
        assertThat(directory).doesNotExist();
    }

    @Test
    void aTlsRowMeetsItsTargetAt55PercentOfThePlainRowAddingAtMostSixTenthsOfACpuSecondPerGib() {
        BenchResult plain = result(config(Mode.LINUX_COPY, 2, DestinationKind.FRESH), 1.0, 0.5, 0.5);
        BenchResult plainOtherChannels = result(config(Mode.LINUX_COPY, 4, DestinationKind.FRESH), 0.5, 0.5, 0.5);
        BenchResult plainPreTouched = result(config(Mode.LINUX_COPY, 2, DestinationKind.PRE_TOUCHED), 1.0, 0.2, 0.2);
        BenchResult met = result(config(Mode.TLS_LINUX_COPY, 2, DestinationKind.FRESH), 1.8, 0.75, 0.75);
        BenchResult slower = result(config(Mode.TLS_LINUX_COPY, 4, DestinationKind.FRESH), 1.0, 0.75, 0.75);
        BenchResult dearer = result(config(Mode.TLS_LINUX_COPY, 2, DestinationKind.PRE_TOUCHED), 1.6, 0.9, 0.9);
        BenchReport report = new BenchReport("d", "c", MACHINE, 2 * GIB,
                List.of(plain, plainOtherChannels, plainPreTouched, met, slower, dearer));

        assertThat(report.tlsComparisons()).hasSize(3);
        BenchReport.TlsComparison<BenchResult> first = report.tlsComparisons().get(0);
        assertThat(first.plain()).isEqualTo(plain);
        assertThat(first.percent()).isCloseTo(100 / 1.8, within(1e-9));
        assertThat(first.addedCpu()).isCloseTo(0.25, within(1e-9));
        assertThat(first.met()).isTrue();
        BenchReport.TlsComparison<BenchResult> tooSlow = report.tlsComparisons().get(1);
        assertThat(tooSlow.plain()).isEqualTo(plainOtherChannels);
        assertThat(tooSlow.percent()).isCloseTo(50.0, within(1e-9));
        assertThat(tooSlow.met()).as("50% of plain").isFalse();
        BenchReport.TlsComparison<BenchResult> tooDear = report.tlsComparisons().get(2);
        assertThat(tooDear.percent()).isCloseTo(62.5, within(1e-9));
        assertThat(tooDear.addedCpu()).isCloseTo(0.7, within(1e-9));
        assertThat(tooDear.met()).as("adds 0.7 CPU-s/GiB").isFalse();
        assertThat(report.markdown()).contains("TLS against the same migration without TLS",
                "- tls-linux-copy, 2 channels, fresh, prefault: 1.11 GiB/s, 56% of linux-copy (2.00 GiB/s), 0.750"
                        + " CPU-s/GiB both sides, TLS adds 0.250 (1.50× plain's 0.500): target (≥ 55%, adds ≤ 0.60)"
                        + " met",
                "target (≥ 55%, adds ≤ 0.60) NOT met");
    }

    @Test
    void aTlsRowWithoutItsPlainTwinIsNotCompared() {
        BenchResult tls = result(config(Mode.TLS_COPY_PROVIDER, 1, DestinationKind.PRE_TOUCHED), 2.0, 1.0, 1.0);
        BenchResult otherProvider = result(config(Mode.LINUX_COPY, 1, DestinationKind.PRE_TOUCHED), 1.0, 0.5, 0.5);
        BenchReport report = new BenchReport("d", "c", MACHINE, 2 * GIB, List.of(tls, otherProvider));
        assertThat(report.tlsComparisons()).isEmpty();
        assertThat(report.markdown()).doesNotContain("TLS against");
    }

    @Test
    void tlsRowsDoNotTakePartInTheCeilingVerdict() {
        BenchResult ceiling = result(config(Mode.CEILING, 1, DestinationKind.FRESH), 1.0, 0.5, 0.5);
        BenchResult plain = result(config(Mode.COPY_PROVIDER, 1, DestinationKind.FRESH), 2.0, 0.5, 0.5);
        // Faster than the plain row (as it could be in a noisy run): still not the verdict's best migration.
        BenchResult tls = result(config(Mode.TLS_COPY_PROVIDER, 1, DestinationKind.FRESH), 1.5, 1.0, 1.0);
        BenchReport report = new BenchReport("d", "c", MACHINE, 2 * GIB, List.of(ceiling, plain, tls));
        assertThat(report.verdicts()).singleElement().satisfies(v -> assertThat(v.best()).isEqualTo(plain));
    }

    @Test
    void theJsonListsEachTlsComparison() {
        BenchResult plain = result(config(Mode.COPY_PROVIDER, 1, DestinationKind.FRESH), 1.0, 0.5, 0.5);
        BenchResult tls = result(config(Mode.TLS_COPY_PROVIDER, 1, DestinationKind.FRESH), 4.0, 1.5, 1.5);
        BenchReport report = new BenchReport("d", "c", MACHINE, 2 * GIB, List.of(plain, tls));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> comparisons = (List<Map<String, Object>>) JsonReader.object(report.json()).get("tls");
        assertThat(comparisons).singleElement().satisfies(c -> {
            assertThat(c).containsEntry("mode", "tls-copy-provider").containsEntry("plain-mode", "copy-provider")
                    .containsEntry("channels", 1L).containsEntry("destination", "fresh")
                    .containsEntry("target", "≥ 55%, adds ≤ 0.60").containsEntry("met", false);
            assertThat((Double) c.get("percent-of-plain")).isCloseTo(25.0, within(1e-9));
            assertThat((Double) c.get("added-cpu-s-per-gib-total")).isCloseTo(1.0, within(1e-9));
            assertThat((Double) c.get("cpu-s-per-gib-total")).isCloseTo(1.5, within(1e-9));
            assertThat((Double) c.get("cpu-ratio")).isCloseTo(3.0, within(1e-9));
        });
    }
}
