package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testkit.JsonReader;
import testkit.Tier;

/** The image's {@code multifd} launcher runs the demo and describes the providers, on Linux with its provider. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@Tier.Image
class DemoAndInfoTest {

    private static void assumeLinux() {
        assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux"),
                "the Linux provider works on Linux only, this is " + System.getProperty("os.name"));
    }

    @Test
    void theDemoMigratesAndSaysZeroCopyWouldBeCopiedOnThisHostSoItCopies() {
        assumeLinux();
        Launcher.Result run = Launcher.run("demo", "--size", "64m");

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).as(run.describe())
                .startsWith("multifd demo: migrated 64.00 MiB")
                .contains("completed, digests verified by the destination")
                .contains("provider copy")
                .contains("is on this host, where the kernel copies every zero-copy send");
    }

    @Test
    void infoAsJsonListsBothProvidersAndChoosesLinuxHere() {
        assumeLinux();
        Launcher.Result run = Launcher.run("info", "--json");

        assertThat(run.exitCode()).as(run.describe()).isZero();
        Map<String, Object> info = JsonReader.object(run.out());
        assertThat(providers(info)).extracting(p -> p.get("name")).contains("linux", "copy");
        assertThat(provider(info, "linux")).containsEntry("available", true).containsEntry("zero-copy", true);
        assertThat(provider(info, "copy")).containsEntry("available", true).containsEntry("zero-copy", false);
        assertThat(info).containsEntry("chosen", "linux").containsEntry("receiving", "copy")
                .containsEntry("copying-sends", "copy")
                .containsEntry("receiving-why", "a destination only receives, and zero-copy is a way of sending");
        assertThat(info.get("diagnostics")).asString().contains("rlimit-memlock", "optmem-max", "max-zero-copy-send");
    }

    @Test
    @SuppressWarnings("unchecked")
    void infoAsJsonGivesTheHostLimitsAsNumbers() {
        assumeLinux();
        Launcher.Result run = Launcher.run("info", "--json");

        Map<String, Object> linux = (Map<String, Object>) ((Map<String, Object>) JsonReader.object(run.out())
                .get("diagnostics")).get("linux");
        assertThat(linux.get("optmem-max")).as(run.describe()).isInstanceOf(Long.class);
        assertThat(linux.get("rlimit-memlock")).as(run.describe()).asInstanceOf(
                org.assertj.core.api.InstanceOfAssertFactories.map(String.class, Object.class)).containsKeys("soft", "hard");
    }

    @Test
    void theProviderOptionChoosesTheCopyingProvider() {
        Launcher.Result run = Launcher.run("demo", "--size", "16m", "--provider", "copy");

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).as(run.describe()).contains("provider copy");
        assertThat(run.err()).as("no log lines about a forced provider").isEmpty();
    }

    @Test
    void infoHonoursTheProviderPropertyPassedThroughJdkJavaOptions() {
        Launcher.Result run = Launcher.start(Launcher.multifd("info", "--json"),
                Map.of("JDK_JAVA_OPTIONS", "-Dio.channel.provider=copy")).result();

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(JsonReader.object(run.out())).containsEntry("chosen", "copy");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> providers(Map<String, Object> info) {
        return (List<Map<String, Object>>) info.get("providers");
    }

    private static Map<String, Object> provider(Map<String, Object> info, String name) {
        return providers(info).stream().filter(p -> name.equals(p.get("name"))).findFirst().orElseThrow();
    }
}
