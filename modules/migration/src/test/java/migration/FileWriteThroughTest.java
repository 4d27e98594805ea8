package migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A file destination ({@link RamBlockProvider#file}) whose receivers write the pages to the file, not the mapping. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileWriteThroughTest {

    @TempDir
    Path dir;

    @Test
    void runsOfDataPagesLongerThanTheStagingBufferArriveWholeInTheFile() throws Exception {
        // No zero page: every packet is one run of 128 pages, written in pieces of the staging buffer; a short
        // last page ends the block.
        long size = (4L << 20) + 5000;
        Path in = dir.resolve("in.img");
        Path out = dir.resolve("out.img");
        try (Arena arena = Arena.ofShared()) {
            MemorySegment content = arena.allocate(size);
            SplittableRandom random = new SplittableRandom(11);
            for (long i = 0; i < size; i++) {
                content.set(ValueLayout.JAVA_BYTE, i, (byte) (random.nextInt(255) + 1));
            }
            Files.write(in, content.toArray(ValueLayout.JAVA_BYTE));
        }
        try (Arena arena = Arena.ofShared()) {
            RamBlock source = RamBlock.mapFile("disk", in, size, false, arena);
            RamBlockFile target = RamBlockProvider.file(out, arena);
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    target, EndToEndMigrationTest.copying(2));
                 MigrationSource migration = MigrationSource.start(destination.localAddress(), List.of(source),
                         EndToEndMigrationTest.copying(2))) {
                migration.await();
                assertThat(destination.await().verified()).isTrue();
                target.commit();
            }
        }
        assertThat(Files.mismatch(in, out)).isEqualTo(-1);
    }

    @Test
    void aWriteToTheFileThatFailsFailsTheMigrationNamingThePacketAndTheBlock() throws Exception {
        Path out = dir.resolve("out.img");
        try (Arena arena = Arena.ofShared();
             RamBlockFile target = RamBlockProvider.file(out, arena);
             MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                     target, MigrationParameters.defaults().withProvider("copy"));
             FakeSource source = new FakeSource(destination.localAddress())) {
            SocketChannel main = source.main(1, "ram0", 1 << 20);
            SocketChannel data = source.multifd(source.id, 0);
            FakeSource.readFrame(main, 2);
            // The block's file is open and mapped now; discarding closes it, so the next write fails.
            assertThat(target.discard()).isNotNull();
            ByteBuffer page = ByteBuffer.allocate(4096);
            while (page.hasRemaining()) {
                page.put((byte) 7);
            }
            FakeSource.send(data, FakeSource.dataHeader(1, 0, 1, 8192), page.flip());
            assertThatThrownBy(destination::await).isInstanceOf(MigrationException.class)
                    .hasMessageContaining("multifd channel 0, packet 1: writing 4096 bytes at offset 0x2000 of ram"
                            + " block 'ram0' to its file failed: ClosedChannelException");
        }
        assertThat(out).doesNotExist();
    }
}
