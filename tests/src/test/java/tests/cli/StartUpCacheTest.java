package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testkit.JsonReader;
import testkit.Tier;

/**
 * The image starts the tool from its class data: the JDK's CDS archive and the tool's AOT cache recorded at build
 * time, mapped by the launcher where it fits and left out, quietly, where it does not.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
@Tier.Image
class StartUpCacheTest {

    @Test
    void theImageCarriesTheJdkArchiveAndTheToolsAotCache() {
        Path image = Launcher.image();
        assertThat(image.resolve("lib/server/classes.jsa")).isRegularFile();
        assertThat(image.resolve("lib/multifd.aot")).isRegularFile();
    }

    @Test
    void theLauncherLoadsTheToolsClassesFromTheAotCache() {
        assertThat(classLoading("migration.cli.Main")).contains("source: shared objects file");
    }

    @Test
    void theLauncherLoadsPicocliFromTheAotCache() {
        // picocli ships Java 5 class files, which the cache leaves out: the image build rewrites them.
        assertThat(classLoading("picocli.CommandLine")).contains("source: shared objects file");
    }

    @Test
    void theBenchmarksCeilingProcessesLoadTheirCommandFromTheAotCache() {
        // The bench starts them through the launcher as it starts send and receive, so they share the cache.
        assertThat(classLoading("migration.bench.ColdCeilingCommand", "bench", "cold-ceiling", "--help"))
                .contains("source: shared objects file");
    }

    @Test
    void classDataSharingOptionsOfTheUsersOwnReplaceTheCache() {
        // java refuses -XX:AOTCache next to any -Xshare option: the launcher must leave the cache out.
        Launcher.Result run = Launcher.start(Launcher.multifd("--version"),
                Map.of("JDK_JAVA_OPTIONS", "-Xshare:off")).result();

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).startsWith("multifd ");
    }

    @Test
    void aCacheThatDoesNotFitLeavesStandardOutputToTheTool() {
        // The cache was recorded with compressed object pointers; without them java cannot map it.
        Launcher.Result run = Launcher.start(Launcher.multifd("info", "--json"),
                Map.of("JDK_JAVA_OPTIONS", "-XX:-UseCompressedOops")).result();

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(JsonReader.object(run.out())).containsKey("chosen");
    }

    /** The line of -Xlog:class+load that says where {@code multifd --version} took the named class from. */
    private static String classLoading(String className) {
        return classLoading(className, "--version");
    }

    /** The line of -Xlog:class+load that says where {@code multifd ARGS} took the named class from. */
    private static String classLoading(String className, String... args) {
        Launcher.Result run = Launcher.start(Launcher.multifd(args),
                Map.of("JDK_JAVA_OPTIONS", "-Xlog:class+load=info")).result();

        assertThat(run.exitCode()).as(run.describe()).isZero();
        List<String> lines = run.out().lines().filter(l -> l.contains(" " + className + " ")).toList();
        assertThat(lines).as(run.describe()).hasSize(1);
        return lines.get(0);
    }
}
