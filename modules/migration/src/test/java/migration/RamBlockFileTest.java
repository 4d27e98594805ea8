package migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RamBlockFileTest {

    @TempDir
    Path dir;

    @Test
    void aDestinationFileLargerThanTheFreeSpaceIsRefusedBeforeAnythingIsWritten() throws IOException {
        Path file = dir.resolve("copy.img");
        long tooBig = Files.getFileStore(dir).getUsableSpace() + (1L << 30);

        try (Arena arena = Arena.ofShared()) {
            assertThatThrownBy(() -> RamBlock.mapFile("ram0", file, tooBig, true, arena))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("not enough space for ram block 'ram0' in " + file)
                    .hasMessageContaining("usable");
        }
        assertThat(file).doesNotExist();
    }

    @Test
    void aDestinationFileIsCreatedWithTheBlockSize() throws IOException {
        Path file = dir.resolve("copy.img");

        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.mapFile("ram0", file, 3 * 4096 + 1, true, arena);

            assertThat(block.size()).isEqualTo(3 * 4096 + 1);
        }
        assertThat(Files.size(file)).isEqualTo(3 * 4096 + 1);
    }

    @Test
    void aSourceFileShorterThanTheBlockIsRefused() throws IOException {
        Path file = Files.write(dir.resolve("short.img"), new byte[100]);

        try (Arena arena = Arena.ofShared()) {
            assertThatThrownBy(() -> RamBlock.mapFile("ram0", file, 4096, false, arena))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("it holds only 100 bytes");
        }
    }
}
