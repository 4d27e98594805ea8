package tests.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in the repository's Markdown (README, CHANGELOG, {@code docs/}, the protocol and the binding
 * inputs' notes) names a file that exists, and a link to a heading ({@code file.md#heading}) names a heading of
 * that file, so that renaming or deleting a document fails the build until its references follow.
 */
class DocumentationLinksTest {

    /** A Markdown link's target: {@code [text](target)}. */
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    @Test
    void everyRelativeLinkInTheMarkdownNamesAFileAndHeadingThatExist() throws IOException {
        Path root = root();
        List<String> broken = new ArrayList<>();
        List<Path> documents = documents(root);
        for (Path document : documents) {
            for (String target : links(Files.readString(document))) {
                String problem = problem(document, target);
                if (problem != null) {
                    broken.add(root.relativize(document) + ": (" + target + ") " + problem);
                }
            }
        }

        assertThat(documents).as("the Markdown files looked at").contains(root.resolve("README.md"));
        assertThat(broken).as("broken links").isEmpty();
    }

    @Test
    void aLinkToAMissingFileOrHeadingIsReported() throws IOException {
        Path readme = root().resolve("README.md");

        assertThat(problem(readme, "docs/no-such-file.md")).isEqualTo("no such file");
        assertThat(problem(readme, "docs/design/zero-copy.md#no-such-heading")).isEqualTo("no such heading");
        assertThat(problem(readme, "docs/design/zero-copy.md#which-provider-each-side-takes")).isNull();
    }

    private static Path root() {
        String property = System.getProperty("multifd.root");
        assumeTrue(property != null, "system property multifd.root is not set (run through Maven: mvn verify)");
        return Path.of(property).toAbsolutePath().normalize();
    }

    /** {@return the Markdown files of the repository that are documentation, not test data} */
    private static List<Path> documents(Path root) throws IOException {
        List<Path> documents = new ArrayList<>(List.of(root.resolve("README.md"), root.resolve("CHANGELOG.md"),
                root.resolve("modules/migration/PROTOCOL.md"), root.resolve("jextract/README.md")));
        try (Stream<Path> docs = Files.walk(root.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        return documents;
    }

    /** {@return the targets of the document's links, less web addresses and mail} */
    private static List<String> links(String markdown) {
        List<String> targets = new ArrayList<>();
        Matcher m = LINK.matcher(markdown);
        while (m.find()) {
            String target = m.group(1);
            if (!target.matches("^[a-z]+:.*")) {
                targets.add(target);
            }
        }
        return targets;
    }

    /** {@return what is wrong with a relative link of {@code document}, or {@code null} when it resolves} */
    private static String problem(Path document, String target) throws IOException {
        int hash = target.indexOf('#');
        String file = hash < 0 ? target : target.substring(0, hash);
        Path resolved = file.isEmpty() ? document : document.getParent().resolve(file).normalize();
        if (!Files.exists(resolved)) {
            return "no such file";
        }
        if (hash >= 0 && !headings(resolved).contains(target.substring(hash + 1))) {
            return "no such heading";
        }
        return null;
    }

    /** {@return the anchors GitHub gives the file's headings: lower case, punctuation dropped, spaces as dashes} */
    private static List<String> headings(Path markdown) throws IOException {
        return Files.readAllLines(markdown).stream()
                .filter(line -> line.startsWith("#"))
                .map(line -> line.replaceFirst("^#+\\s*", "").toLowerCase(Locale.ROOT)
                        .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'))
                .toList();
    }
}
