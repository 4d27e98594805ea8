package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import testkit.Tier;

/**
 * The module-path story: a user's module ({@code src/test/resources/consumer}) that requires only {@code migration}
 * is compiled against the library's module jars alone (no tool, no picocli), run with them on the module path (no
 * class path), and linked with them into a runtime image of its own, whose launcher runs it too.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Tier.Image
class ModulePathConsumerTest {

    private static final String MIGRATED = "consumer: migrated 16777216 bytes, verified=true";
    private static final String NATIVE_ACCESS = "--enable-native-access=io.channel.linux";
    private static final List<String> LIBRARY_MODULES = List.of("io.channel", "io.channel.linux", "migration");
    private static final String VERSION = System.getProperty("multifd.version");

    @TempDir
    Path dir;

    @BeforeEach
    void onLinux() {
        assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux"),
                "the consumer expects the Linux provider, which works on Linux only; this is "
                        + System.getProperty("os.name"));
    }

    @Test
    void aConsumerModuleRunsFromTheModulePathWithTheLinuxProviderBoundAsAService() throws Exception {
        Path modules = modules();
        Path consumerJar = compileAndPackConsumer(modules);

        Launcher.Result run = Launcher.start(List.of(tool("java"), "--module-path",
                modules + File.pathSeparator + consumerJar, NATIVE_ACCESS, "-m", "consumer/consumer.Main"),
                Map.of()).result();

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out().lines()).as(run.describe()).contains(MIGRATED, "consumer: provider linux");
    }

    @Test
    void aConsumerLinkedIntoItsOwnImageRunsFromItsLauncher() throws Exception {
        Path modules = modules();
        Path consumerJar = compileAndPackConsumer(modules);
        Path image = dir.resolve("image");

        Launcher.Result linked = Launcher.start(List.of(tool("jlink"), "--module-path",
                modules + File.pathSeparator + consumerJar, "--add-modules", "consumer,io.channel.linux",
                "--add-options=" + NATIVE_ACCESS, "--launcher", "consumer=consumer/consumer.Main",
                "--no-header-files", "--no-man-pages", "--strip-debug", "--output", image.toString()),
                Map.of()).result();
        assertThat(linked.exitCode()).as(linked.describe()).isZero();
        Launcher.Result run = Launcher.start(List.of(image.resolve("bin/consumer").toString()), Map.of()).result();

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out().lines()).as(run.describe()).contains(MIGRATED, "consumer: provider linux");
    }

    /** {@return the consumer compiled with {@code --release 22} against the module jars, as a modular jar} */
    private Path compileAndPackConsumer(Path modules) throws IOException {
        Path sources = dir.resolve("src");
        List<String> javac = new ArrayList<>(List.of(tool("javac"), "--release", "22", "-Xlint:all", "-Werror",
                "--module-path", modules.toString(), "-d", dir.resolve("classes").toString()));
        for (String file : List.of("module-info.java", "consumer/Main.java")) {
            Path target = sources.resolve(file);
            Files.createDirectories(target.getParent());
            try (InputStream in = ModulePathConsumerTest.class.getResourceAsStream("/consumer/" + file)) {
                assertThat(in).as("test resource consumer/" + file).isNotNull();
                Files.copy(in, target);
            }
            javac.add(target.toString());
        }
        Launcher.Result compiled = Launcher.start(javac, Map.of()).result();
        assertThat(compiled.exitCode()).as(compiled.describe()).isZero();

        Path jar = dir.resolve("consumer.jar");
        Launcher.Result packed = Launcher.start(List.of(tool("jar"), "--create", "--file", jar.toString(),
                "-C", dir.resolve("classes").toString(), "."), Map.of()).result();
        assertThat(packed.exitCode()).as(packed.describe()).isZero();
        return jar;
    }

    /**
     * {@return a directory holding only the library's module jars: {@code io.channel}, {@code io.channel.linux} and
     * {@code migration}} Neither the tool ({@code migration.cli}) nor picocli is there, so the consumer shows that a
     * library user needs neither. The build names the jars' directory in system property {@code multifd.modules}:
     * when it is named, a missing jar fails the test; only a run outside Maven skips.
     */
    private Path modules() throws IOException {
        String property = System.getProperty("multifd.modules");
        assumeTrue(property != null, "system property multifd.modules is not set (run through Maven: mvn verify)");
        Path built = Path.of(property);
        Path library = dir.resolve("library-modules");
        Files.createDirectories(library);
        for (String module : LIBRARY_MODULES) {
            Path jar = built.resolve(module + "-" + VERSION + ".jar");
            assertThat(jar).as("module jar %s the build names in multifd.modules (build it with: mvn -DskipTests"
                    + " package)", module).isRegularFile();
            Files.copy(jar, library.resolve(jar.getFileName()));
        }
        return library;
    }

    /** {@return a tool of the JDK running this test} Skips when this Java has no such tool (a JRE). */
    private static String tool(String name) {
        Path tool = Path.of(System.getProperty("java.home"), "bin", name);
        assumeTrue(Files.isExecutable(tool), "this Java has no " + tool);
        return tool.toString();
    }
}
