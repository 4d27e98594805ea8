package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the build publishes: each library, tool and benchmark jar with its sources, under the Apache License 2.0. */
class ArtifactsTest {

    @ParameterizedTest
    @ValueSource(strings = {"io.channel", "io.channel.linux", "migration", "migration.cli", "migration.bench"})
    void everyModuleJarHasASourcesJarBesideIt(String module) throws IOException {
        Path sources = root().resolve("modules/" + module + "/target/" + module + "-"
                + System.getProperty("multifd.version") + "-sources.jar");

        assertThat(sources).as("the build makes it in package").isRegularFile();
        try (JarFile jar = new JarFile(sources.toFile())) {
            assertThat(jar.stream().map(e -> e.getName()).toList()).contains("module-info.java")
                    .anyMatch(name -> name.startsWith(module.replace('.', '/') + "/") && name.endsWith(".java"));
        }
    }

    @Test
    void theRepositoryCarriesTheLicenseThePomsDeclare() throws IOException {
        List<String> license = Files.readAllLines(root().resolve("LICENSE"));
        String pom = Files.readString(root().resolve("pom.xml"));

        assertThat(license).anySatisfy(line -> assertThat(line.strip()).isEqualTo("Apache License"))
                .anySatisfy(line -> assertThat(line.strip()).isEqualTo("Version 2.0, January 2004"));
        assertThat(pom).contains("<name>Apache-2.0</name>", "<scm>", "<developers>", "<organization>");
    }

    /** {@return the repository's root, as the build names it} */
    private static Path root() {
        String property = System.getProperty("multifd.root");
        assumeTrue(property != null, "system property multifd.root is not set (run through Maven: mvn verify)");
        return Path.of(property);
    }
}
