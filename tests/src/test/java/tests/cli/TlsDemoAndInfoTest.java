package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import testkit.JsonReader;
import testkit.Tier;
import migration.authority.ThrowawayAuthority;

/**
 * {@code multifd demo --tls} shows TLS working with one command; {@code multifd info} shows the TLS setup the
 * same {@code --tls-*} options give send and receive, and the dirty tracker each kind of memory gets.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Tier.Image
class TlsDemoAndInfoTest {

    private static final String DEMO_SESSION = "tls         TLSv1.3 TLS_AES_128_GCM_SHA256, peer 'CN=multifd demo"
            + " destination' (certificate verified)";

    @TempDir
    Path dir;

    private static boolean linux() {
        return System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux");
    }

    /** {@return the --tls-* options of a side whose PEM files this test writes, issued by {@code ca}} */
    private List<String> tlsOptions(ThrowawayAuthority ca, String side) throws Exception {
        Path caFile = dir.resolve("ca.pem");
        ca.writeCertificate(caFile);
        ca.issue(side, List.of("localhost", "127.0.0.1")).writePem(dir.resolve(side + ".pem"),
                dir.resolve(side + "-key.pem"));
        return List.of("--tls-ca", caFile.toString(), "--tls-cert", dir.resolve(side + ".pem").toString(),
                "--tls-key", dir.resolve(side + "-key.pem").toString());
    }

    private Launcher.Result info(List<String> options, String... more) {
        List<String> args = new ArrayList<>(List.of("info"));
        args.addAll(options);
        args.addAll(List.of(more));
        return Launcher.run(args.toArray(String[]::new));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object value) {
        return (List<Map<String, Object>>) value;
    }

    @Test
    void theDemoWithTlsMigratesAndTheSummaryShowsProtocolCipherSuiteAndPeer() {
        Launcher.Result run = Launcher.run("demo", "--tls", "--size", "16m");

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).as(run.describe())
                .contains("completed, verified by the destination: TLS authenticated every byte")
                .contains(DEMO_SESSION)
                .contains("zero-copy   auto: TLS encrypts every page into its own buffer before sending");
    }

    @Test
    void theLiveDemoRunsUnderTlsToo() {
        Launcher.Result run = Launcher.run("demo", "--tls", "--live", "--size", "16m", "--dirty-rate", "4m",
                "--downtime-limit", "3600000");

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).as(run.describe())
                .contains("completed, verified by the destination: TLS authenticated every byte")
                .contains(DEMO_SESSION)
                .contains("rounds      ");
    }

    @Test
    void theDemoWithTlsAsJsonSaysTlsWasUsedAndNamesThePeer() {
        Launcher.Result run = Launcher.run("demo", "--tls", "--size", "4m", "--channels", "1", "--json");

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(JsonReader.object(run.out())).containsEntry("verified", true).containsEntry("verified-by", "tls");
        assertThat(map(JsonReader.object(run.out()).get("tls"))).containsEntry("enabled", true)
                .containsEntry("protocol", "TLSv1.3").containsEntry("cipher-suite", "TLS_AES_128_GCM_SHA256")
                .containsEntry("peer-identity", "CN=multifd demo destination");
    }

    @Test
    void theDemoWithTlsRefusesZeroCopyOnWithQemusMessage() {
        Launcher.Result run = Launcher.run("demo", "--tls", "--zero-copy", "on", "--size", "4m");

        assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
        assertThat(run.errLines()).as(run.describe())
                .endsWith("multifd demo: Zero copy only available for non-compressed non-TLS multifd migration");
    }

    @Test
    void infoAsJsonShowsTheTlsSetupTheOptionsGive() throws Exception {
        List<String> options = new ArrayList<>(tlsOptions(ThrowawayAuthority.create("info CA"), "source"));
        options.addAll(List.of("--tls-allow", "CN=destination", "--json"));

        Launcher.Result run = info(options);

        assertThat(run.exitCode()).as(run.describe()).isZero();
        Map<String, Object> tls = map(JsonReader.object(run.out()).get("tls"));
        assertThat(tls).containsEntry("enabled", true).containsEntry("protocol", "TLSv1.3")
                .containsEntry("ca-count", 1L).containsEntry("mutual-authentication", true)
                .containsEntry("allowed-identities", List.of("CN=destination"))
                .containsEntry("hostname", null);
        assertThat(tls.get("cipher-suites")).asList().startsWith("TLS_AES_128_GCM_SHA256");
        Map<String, Object> speed = map(tls.get("cipher-speed"));
        assertThat(speed).containsEntry("cipher-suite", "TLS_AES_128_GCM_SHA256").containsEntry("cipher", "AES-128-GCM")
                .containsKeys("warm-up-ms", "settled");
        assertThat((Long) speed.get("seal-bytes-per-second")).isPositive();
        assertThat((Long) speed.get("open-bytes-per-second")).isPositive();
        assertThat((Double) speed.get("cpu-s-per-gib-both-ends")).isPositive();
        assertThat(map(tls.get("credentials"))).containsEntry("kind", "pem")
                .containsEntry("key-file", dir.resolve("source-key.pem").toString());
        assertThat(map(tls.get("certificate"))).containsEntry("subject", "CN=source")
                .containsEntry("issuer", "CN=info CA").containsEntry("days-left", 0L)
                .containsEntry("names", List.of("DNS:localhost", "IP:127.0.0.1"));
        assertThat(map(tls.get("zero-copy")).get("on")).isEqualTo("refused: Zero copy only available for"
                + " non-compressed non-TLS multifd migration");
    }

    @Test
    void infoAsTextShowsTheCertificateTheCasAndThatZeroCopyWouldBeRefused() throws Exception {
        Launcher.Result run = info(tlsOptions(ThrowawayAuthority.create("info CA"), "destination"));

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).as(run.describe())
                .contains("tls (what send and receive would run with these options):")
                .contains("  protocol       TLSv1.3")
                .containsPattern("  cipher speed   TLS_AES_128_GCM_SHA256: AES-128-GCM seals [0-9.]+ GB/s and opens"
                        + " [0-9.]+ GB/s on one core \\(in place, as the JDK's TLS does\\): [0-9.]+ CPU-s/GiB for both"
                        + " ends")
                .contains("  certificate    'CN=destination', valid until ")
                .contains("  trusted CAs    1: 'CN=info CA' (valid until ")
                .contains("accepted identities: any a trusted CA signed")
                .contains("  zero-copy      on is refused (\"Zero copy only available for non-compressed non-TLS"
                        + " multifd migration\")");
    }

    @Test
    void infoWithoutTlsOptionsSaysPlainTcpAndStillMeasuresTheCipherTlsWouldUse() {
        Launcher.Result run = Launcher.run("info", "--json");

        assertThat(run.exitCode()).as(run.describe()).isZero();
        Map<String, Object> tls = map(JsonReader.object(run.out()).get("tls"));
        assertThat(tls).containsOnlyKeys("enabled", "cipher-speed").containsEntry("enabled", false);
        assertThat(map(tls.get("cipher-speed"))).containsEntry("cipher-suite", "TLS_AES_128_GCM_SHA256");
    }

    @Test
    void infoAsTextWithoutTlsOptionsGivesTheCipherSpeed() {
        Launcher.Result run = Launcher.run("info");

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).as(run.describe())
                .contains("tls: off (no --tls-* option: send and receive would run plain TCP)")
                .containsPattern("  cipher speed  TLS_AES_128_GCM_SHA256: AES-128-GCM seals [0-9.]+ GB/s");
    }

    @Test
    void infoWithAnUnreadableKeyFailsNamingTheFile() throws Exception {
        List<String> options = tlsOptions(ThrowawayAuthority.create("info CA"), "source");
        Files.writeString(dir.resolve("source-key.pem"), "not a key\n");

        Launcher.Result run = info(options);

        assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
        assertThat(run.errLines()).as(run.describe()).singleElement().asString()
                .isEqualTo("multifd info: TLS: private key file '" + dir.resolve("source-key.pem")
                        + "' holds no PEM block (no '-----BEGIN ...-----' line)");
    }

    @Test
    void infoAsJsonGivesEveryKindOfMemoryATrackerAndSaysWhyTheKernelOneRefusedHeapMemory() {
        Launcher.Result run = Launcher.run("info", "--json");

        assertThat(run.exitCode()).as(run.describe()).isZero();
        Map<String, Object> trackers = map(JsonReader.object(run.out()).get("dirty-trackers"));
        List<Map<String, Object>> memory = list(trackers.get("memory"));
        assertThat(memory).extracting(kind -> kind.get("kind")).contains("anonymous", "file, shared and writable",
                "file, read-only", "Java heap array", "native, not page-aligned");
        assertThat(memory).allSatisfy(kind -> assertThat(kind.get("tracker")).as("%s", kind).isNotNull());
        Map<String, Object> heap = memory.stream().filter(kind -> kind.get("kind").equals("Java heap array"))
                .findFirst().orElseThrow();
        assertThat(heap).containsEntry("tracker", "portable");
        if ("linux".equals(trackers.get("chosen"))) {
            assertThat(heap.get("why")).asString().startsWith("'linux' refused it: heap memory");
            assertThat(memory.getFirst()).containsEntry("tracker", "linux");
        } else {
            assumeTrue(!linux() || trackers.get("chosen") != null, "no dirty tracker chosen: " + trackers);
        }
    }

    @Test
    void infoHonoursTheTrackerPropertyForEveryKindOfMemory() {
        Launcher.Result run = Launcher.start(Launcher.multifd("info"),
                Map.of("JDK_JAVA_OPTIONS", "-Dio.channel.dirty.tracker=portable")).result();

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).as(run.describe())
                .contains("tracker chosen: portable (forced by -Dio.channel.dirty.tracker=portable)")
                .containsPattern("  anonymous +portable: forced by -Dio.channel.dirty.tracker")
                .doesNotContain("linux: the selected tracker");
    }
}
