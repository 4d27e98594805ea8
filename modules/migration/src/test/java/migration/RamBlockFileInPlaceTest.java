package migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RamBlockProvider#fileInPlace}: an existing file of the block's size is written where it is, through its
 * own pages; any other file goes through a temporary file, and a source never resizes the file in place.
 */
class RamBlockFileInPlaceTest {

    private static final int SIZE = 3 * 4096;

    @TempDir
    Path dir;

    @Test
    void anExistingFileOfTheBlocksSizeIsWrittenWhereItIs() throws IOException {
        Path file = Files.write(dir.resolve("copy.img"), filled(SIZE, (byte) 1));
        Object inode = Files.getAttribute(file, "unix:ino");

        try (Arena arena = Arena.ofShared()) {
            RamBlockFile target = RamBlockProvider.fileInPlace(file, arena);
            RamBlock block = target.blockFor("ram0", SIZE);
            write(block, 4096, filled(4096, (byte) 2));

            assertThat(target.writtenInPlace()).isTrue();
            assertThat(target.notInPlace()).isNull();
            assertThat(block.knownZero()).as("an existing file holds old bytes").isFalse();
            assertThat(Files.readAllBytes(file)[4096]).as("written through the file's own pages").isEqualTo((byte) 2);
            target.commit();
            target.commit();
            assertThat(target.committed()).isTrue();
            assertThat(target.discard()).isNull();
        }
        byte[] bytes = Files.readAllBytes(file);
        assertThat(Arrays.copyOfRange(bytes, 0, 4096)).containsOnly(1);
        assertThat(Arrays.copyOfRange(bytes, 4096, 8192)).containsOnly(2);
        assertThat(Files.getAttribute(file, "unix:ino")).as("the same file, not a replacement").isEqualTo(inode);
        assertThat(Siblings.of(file)).isEmpty();
    }

    @Test
    void aFailedInPlaceMigrationLeavesTheFileItWroteAndNothingElse() throws IOException {
        Path file = Files.write(dir.resolve("copy.img"), filled(SIZE, (byte) 1));

        try (Arena arena = Arena.ofShared()) {
            RamBlockFile target = RamBlockProvider.fileInPlace(file, arena);
            RamBlock block = target.blockFor("ram0", SIZE);
            write(block, 0, filled(4096, (byte) 3));

            assertThat(target.discard()).as("no temporary file to remove").isNull();
            assertThat(target.writtenInPlace()).isTrue();
            assertThat(target.committed()).isFalse();
        }
        assertThat(Files.size(file)).isEqualTo(SIZE);
        assertThat(Files.readAllBytes(file)[0]).isEqualTo((byte) 3);
        assertThat(Siblings.of(file)).isEmpty();
    }

    @Test
    void aFileOfAnotherSizeIsNeitherResizedNorTouchedButReceivedThroughATemporaryFile() throws IOException {
        byte[] old = filled(2 * 4096, (byte) 1);
        Path file = Files.write(dir.resolve("copy.img"), old);

        try (Arena arena = Arena.ofShared()) {
            RamBlockFile target = RamBlockProvider.fileInPlace(file, arena);
            RamBlock block = target.blockFor("ram0", SIZE);
            block.memory().fill((byte) 7);

            assertThat(target.writtenInPlace()).isFalse();
            assertThat(target.notInPlace()).isEqualTo(file + " holds 8192 bytes and the source's block 12288");
            assertThat(Files.readAllBytes(file)).containsExactly(old);
            assertThat(Siblings.of(file)).singleElement().satisfies(temporary ->
                    assertThat(temporary.getFileName().toString()).endsWith(".partial"));
            assertThat(target.discard()).isNotNull();
        }
        assertThat(Files.readAllBytes(file)).containsExactly(old);
        assertThat(Siblings.of(file)).isEmpty();
    }

    @Test
    void aMissingFileIsReceivedThroughATemporaryFileAndCommittedByRename() throws IOException {
        Path file = dir.resolve("copy.img");

        try (Arena arena = Arena.ofShared()) {
            RamBlockFile target = RamBlockProvider.fileInPlace(file, arena);
            RamBlock block = target.blockFor("ram0", SIZE);
            block.memory().fill((byte) 5);
            target.commit();

            assertThat(target.writtenInPlace()).isFalse();
            assertThat(target.notInPlace()).isEqualTo(file + " does not exist");
        }
        assertThat(Files.readAllBytes(file)).hasSize(SIZE).containsOnly(5);
        assertThat(Siblings.of(file)).isEmpty();
    }

    private static void write(RamBlock block, long position, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            block.file().write(buffer, position + buffer.position());
        }
    }

    private static byte[] filled(int size, byte value) {
        byte[] bytes = new byte[size];
        Arrays.fill(bytes, value);
        return bytes;
    }
}
