package migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RamBlockProvider#file}: nothing on disk changes until a verified migration is committed. */
class RamBlockFileCommitTest {

    private static final byte[] OLD = {1, 2, 3, 4, 5};

    @TempDir
    Path dir;

    @Test
    void announcingABlockLeavesAnExistingFileAsItWas() throws IOException {
        Path file = Files.write(dir.resolve("copy.img"), OLD);

        try (Arena arena = Arena.ofShared()) {
            RamBlockFile target = RamBlockProvider.file(file, arena);
            RamBlock block = target.blockFor("ram0", 3 * 4096);

            block.memory().fill((byte) 7);
            assertThat(Files.readAllBytes(file)).containsExactly(OLD);
            assertThat(Siblings.of(file)).singleElement().satisfies(temporary -> {
                assertThat(temporary.getFileName().toString()).startsWith(".copy.img.").endsWith(".partial");
                assertThat(Files.size(temporary)).isEqualTo(3 * 4096);
            });
        }
    }

    @Test
    void commitReplacesTheFileWithTheReceivedBlockAndLeavesNoTemporaryFile() throws IOException {
        Path file = Files.write(dir.resolve("copy.img"), OLD);

        try (Arena arena = Arena.ofShared()) {
            RamBlockFile target = RamBlockProvider.file(file, arena);
            RamBlock block = target.blockFor("ram0", 4096 + 1);
            block.memory().fill((byte) 9);
            target.commit();

            assertThat(target.committed()).isTrue();
            assertThat(target.discard()).as("nothing to discard after commit").isNull();
        }
        byte[] bytes = Files.readAllBytes(file);
        assertThat(bytes).hasSize(4096 + 1).containsOnly(9);
        assertThat(Siblings.of(file)).isEmpty();
    }

    @Test
    void discardRemovesTheTemporaryFileAndKeepsTheExistingFile() throws IOException {
        Path file = Files.write(dir.resolve("copy.img"), OLD);

        try (Arena arena = Arena.ofShared()) {
            RamBlockFile target = RamBlockProvider.file(file, arena);
            target.blockFor("ram0", 8192).memory().set(ValueLayout.JAVA_BYTE, 0, (byte) 1);

            Path removed = target.discard();

            assertThat(removed).isNotNull().doesNotExist();
            assertThat(target.discard()).as("discard is idempotent").isNull();
        }
        assertThat(Files.readAllBytes(file)).containsExactly(OLD);
        assertThat(Siblings.of(file)).isEmpty();
    }

    @Test
    void aFailedMigrationIntoANewFileCreatesNothing() throws IOException {
        Path file = dir.resolve("new.img");

        try (Arena arena = Arena.ofShared(); RamBlockFile target = RamBlockProvider.file(file, arena)) {
            target.blockFor("ram0", 4096);
        }
        assertThat(file).doesNotExist();
        assertThat(Siblings.of(file)).isEmpty();
    }

    @Test
    void theReplacementKeepsTheExistingFilesPermissions() throws IOException {
        Path file = Files.write(dir.resolve("copy.img"), OLD);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));

        try (Arena arena = Arena.ofShared()) {
            RamBlockFile target = RamBlockProvider.file(file, arena);
            target.blockFor("ram0", 4096);
            target.commit();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r-----");
    }

    @Test
    void aSecondBlockIsRefusedNamingBoth() throws IOException {
        try (Arena arena = Arena.ofShared(); RamBlockFile target = RamBlockProvider.file(dir.resolve("x"), arena)) {
            target.blockFor("a", 4096);

            assertThatThrownBy(() -> target.blockFor("b", 4096)).isInstanceOf(IOException.class)
                    .hasMessageContaining("takes a single ram block").hasMessageContaining("'a' and 'b'");
        }
    }

    @Test
    void commitBeforeAnyBlockIsAnError() {
        try (Arena arena = Arena.ofShared(); RamBlockFile target = RamBlockProvider.file(dir.resolve("x"), arena)) {
            assertThatThrownBy(target::commit).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("nothing received");
        }
    }

    @Test
    void checkRefusesAMissingDirectory() {
        Path file = dir.resolve("absent/copy.img");

        assertThatThrownBy(() -> check(file)).isInstanceOf(IOException.class)
                .hasMessage("no such directory: " + dir.resolve("absent"));
    }

    @Test
    void checkRefusesADirectory() throws IOException {
        Path file = Files.createDirectory(dir.resolve("sub"));

        assertThatThrownBy(() -> check(file)).isInstanceOf(IOException.class).hasMessage(file + " is a directory");
    }

    @Test
    void checkRefusesTheNullDevice() {
        Path file = Path.of("/dev/null");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(file), "no /dev/null here");

        assertThatThrownBy(() -> check(file)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("/dev/null is not a regular file");
    }

    @Test
    void checkAcceptsANewFileInAWritableDirectoryAndChangesNothing() throws IOException {
        Path file = dir.resolve("copy.img");

        check(file);

        assertThat(file).doesNotExist();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void anonymousMemoryTheSystemCannotMapFailsWithAnIoErrorNamingTheBlock() {
        try (Arena arena = Arena.ofShared()) {
            RamBlockProvider provider = RamBlockProvider.anonymous(arena);

            assertThatThrownBy(() -> provider.blockFor("ram0", 1L << 56)).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("cannot allocate " + (1L << 56) + " bytes for ram block 'ram0' here: ");
        }
    }

    private static void check(Path file) throws IOException {
        try (Arena arena = Arena.ofShared(); RamBlockFile target = RamBlockProvider.file(file, arena)) {
            target.check();
        }
    }
}
