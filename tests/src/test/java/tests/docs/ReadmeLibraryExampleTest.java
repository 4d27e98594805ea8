package tests.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import migration.LiveParameters;
import migration.MigrationDestination;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationSource;
import migration.MigrationStats;
import migration.Ownership;
import migration.RamBlock;
import migration.RamBlockFile;
import migration.RamBlockProvider;
import migration.SourceHooks;
import org.junit.jupiter.api.Test;

/**
 * The README's library example is the code between the markers below, word for word, so that it compiles against
 * the current API whenever this module's tests compile. It is compiled, not run: it names a real host and port; the
 * consumer module of {@code ModulePathConsumerTest} runs the same calls over loopback.
 */
class ReadmeLibraryExampleTest {

    private static final String BEGIN = "// README example begins";
    private static final String END = "// README example ends";

    // README example begins
    // On the destination host: receive one migration into a file, which changes only once the digests verified.
    static void receive() throws IOException, MigrationException {
        try (Arena arena = Arena.ofShared();
             RamBlockFile file = RamBlockProvider.file(Path.of("/dev/shm/copy.img"), arena)) {
            file.claim();   // takes the file for this receive (refused while another receive writes it)
            try (MigrationDestination destination = MigrationDestination.listen(
                    new InetSocketAddress("0.0.0.0", 4444), file, MigrationParameters.defaults())) {
                MigrationStats stats = destination.await();   // throws MigrationException if it failed
                if (stats.verified()) {
                    file.commit();   // renames the received copy onto the file
                }
            }
        }   // not committed: close() removes the received copy and leaves the file as it was
    }

    // On the source host: send one region of memory over 4 channels.
    static MigrationStats send(MemorySegment memory) throws MigrationException {
        try (MigrationSource source = MigrationSource.start(new InetSocketAddress("dest-host", 4444),
                List.of(RamBlock.of("ram0", memory)), MigrationParameters.defaults().withChannels(4))) {
            return source.await();   // stats.toJson(), stats.zeroCopy().reason(), ...
        }
    }

    // A service keeps its state in memory it can hand to its successor.
    static RamBlock allocateState(Arena arena) throws IOException {
        return RamBlock.memfd("state", 8L << 30, arena);
    }

    // The service, once its successor listens: pauses its writers (service), hands the state over.
    static boolean handOver(RamBlock state, SourceHooks service) throws MigrationException {
        try (MigrationSource source = MigrationSource.startLive(
                UnixDomainSocketAddress.of("/run/service/handover.sock"), List.of(state),
                MigrationParameters.defaults(), LiveParameters.defaults(), service)) {
            return source.await().ownership() == Ownership.DESTINATION;   // then exit; never resume
        }
    }

    // The successor: takes the state over, the same pages, mapped into its arena.
    static MemorySegment takeOver(Arena arena) throws MigrationException {
        try (MigrationDestination destination = MigrationDestination.listen(
                UnixDomainSocketAddress.of("/run/service/handover.sock"), RamBlockProvider.anonymous(arena),
                MigrationParameters.defaults())) {
            destination.await();
            return destination.blocks().getFirst().memory();
        }
    }
    // README example ends

    @Test
    void theReadmesJavaExampleIsTheCodeCompiledHere() throws IOException {
        String property = System.getProperty("multifd.root");
        assumeTrue(property != null, "system property multifd.root is not set (run through Maven: mvn verify)");
        Path root = Path.of(property);

        List<String> readme = javaBlocks(Files.readAllLines(root.resolve("README.md")));
        List<String> compiled = marked(Files.readAllLines(
                root.resolve("tests/src/test/java/tests/docs/ReadmeLibraryExampleTest.java")));

        assertThat(compiled).as("the marked example in this test").isNotEmpty();
        assertThat(readme).as("the README's java blocks, against this test's marked example").isEqualTo(compiled);
    }

    /** {@return the lines of every {@code ```java} block, in order, one blank line between two blocks} */
    private static List<String> javaBlocks(List<String> markdown) {
        List<String> lines = new ArrayList<>();
        boolean inside = false;
        for (String line : markdown) {
            if (inside && line.strip().equals("```")) {
                inside = false;
            } else if (inside) {
                lines.add(line);
            } else if (line.strip().equals("```java")) {
                inside = true;
                if (!lines.isEmpty()) {
                    lines.add("");
                }
            }
        }
        return lines;
    }

    /** {@return the lines between the markers, less the indentation of the first marker} */
    private static List<String> marked(List<String> source) {
        List<String> lines = new ArrayList<>();
        int indent = -1;
        for (String line : source) {
            if (line.strip().equals(END)) {
                break;
            }
            if (indent >= 0) {
                lines.add(line.length() > indent ? line.substring(indent) : line.strip());
            } else if (line.strip().equals(BEGIN)) {
                indent = line.indexOf(BEGIN);
            }
        }
        return lines;
    }
}
