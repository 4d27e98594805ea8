package migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link RamBlockFile#claim()}: one receive per file. A receive locks its temporary file (in place, the file), removes
 * the temporary files that no process holds, and refuses while another receive holds one; nothing else is touched.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RamBlockFileClaimTest {

    private static final byte[] OLD = {1, 2, 3, 4, 5};

    @TempDir
    Path dir;

    @Test
    void aTemporaryFileNoProcessHoldsIsRemovedByTheNextClaimWhichReportsItAndItsSize() throws IOException {
        Path file = Files.write(dir.resolve("copy.img"), OLD);
        Path stale = Files.write(dir.resolve(".copy.img.0123abcd.partial"), new byte[12345]);

        try (Arena arena = Arena.ofShared(); RamBlockFile target = RamBlockProvider.file(file, arena)) {
            List<RamBlockFile.StaleCopy> removed = target.claim();

            assertThat(removed).containsExactly(new RamBlockFile.StaleCopy(stale, 12345));
            assertThat(stale).doesNotExist();
            assertThat(target.claim()).as("a second claim does nothing").isEmpty();
        }
        assertThat(Files.readAllBytes(file)).containsExactly(OLD);
        assertThat(Siblings.of(file)).isEmpty();
    }

    @Test
    void siblingsNamedAlmostLikeATemporaryFileAreLeftAlone() throws IOException {
        Path file = dir.resolve("copy.img");
        List<Path> lookalikes = new ArrayList<>();
        for (String name : List.of(".copy.img.0123abcd.partial.bak", ".copy.img.partial", ".copy.img.0123ABCD.partial",
                ".copy.img.0123abc.partial", ".copy.img.0123abcde.partial", ".copy.img.0123abcg.partial",
                "copy.img.0123abcd.partial", ".copy.img.0123abcd.partia", ".copy.im.0123abcd.partial",
                ".other.img.0123abcd.partial", ".copy.img0123abcd.partial", "..copy.img.0123abcd.partial")) {
            lookalikes.add(Files.write(dir.resolve(name), OLD));
        }
        lookalikes.add(Files.createDirectory(dir.resolve(".copy.img.00000000.partial")));

        try (Arena arena = Arena.ofShared(); RamBlockFile target = RamBlockProvider.file(file, arena)) {
            assertThat(target.claim()).isEmpty();
        }
        assertThat(Siblings.of(file)).containsExactlyInAnyOrderElementsOf(lookalikes);
    }

    @Test
    void aSymbolicLinkNamedLikeATemporaryFileIsLeftAloneAndNotFollowed() throws IOException {
        Path file = dir.resolve("copy.img");
        Path elsewhere = Files.write(Files.createDirectory(dir.resolve("elsewhere")).resolve("data"), OLD);
        Path link = Files.createSymbolicLink(dir.resolve(".copy.img.0123abcd.partial"), elsewhere);

        try (Arena arena = Arena.ofShared(); RamBlockFile target = RamBlockProvider.file(file, arena)) {
            assertThat(target.claim()).isEmpty();
        }
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readAllBytes(elsewhere)).containsExactly(OLD);
    }

    @Test
    void aTemporaryFileLockedByAnotherProcessMakesTheClaimRefuseAndRemoveNothing() throws IOException {
        Path file = Files.write(dir.resolve("copy.img"), OLD);
        Path theirs = Files.write(dir.resolve(".copy.img.0123abcd.partial"), new byte[100]);
        Path stale = Files.write(dir.resolve(".copy.img.fedcba98.partial"), new byte[100]);

        try (LockingProcess other = LockingProcess.holding(theirs); Arena arena = Arena.ofShared();
             RamBlockFile target = RamBlockProvider.file(file, arena)) {
            assertThatThrownBy(target::claim).isInstanceOf(IOException.class)
                    .hasMessage("another receive is writing " + file + " (its temporary file " + theirs
                            + " is locked)");
            assertThat(Siblings.of(file)).as("nothing of this receive's, and nothing removed")
                    .containsExactlyInAnyOrder(theirs, stale);
        }
        assertThat(Files.readAllBytes(file)).containsExactly(OLD);
    }

    @Test
    void aSecondReceiveIntoTheSameFileInThisJvmIsRefusedAndTheFirstKeepsItsLock() throws Exception {
        Path file = Files.write(dir.resolve("copy.img"), OLD);

        try (Arena arena = Arena.ofShared(); RamBlockFile first = RamBlockProvider.file(file, arena);
             RamBlockFile second = RamBlockProvider.file(file, arena)) {
            first.claim();
            Path temporary = single(Siblings.of(file));

            assertThatThrownBy(second::claim).isInstanceOf(IOException.class)
                    .hasMessage("another receive is writing " + file + " (its temporary file " + temporary
                            + " is locked)");
            assertThat(LockingProcess.seesLocked(temporary)).as("the first's lock, as another process sees it")
                    .isTrue();
            first.blockFor("ram0", 4096).memory().fill((byte) 9);
            first.commit();
        }
        assertThat(Files.readAllBytes(file)).hasSize(4096).containsOnly(9);
        assertThat(Siblings.of(file)).isEmpty();
    }

    @Test
    void aBlockForAReceiveThatDidNotClaimIsRefusedWhileAnotherWritesTheFile() throws IOException {
        Path file = dir.resolve("copy.img");

        try (Arena arena = Arena.ofShared(); RamBlockFile first = RamBlockProvider.file(file, arena);
             RamBlockFile second = RamBlockProvider.file(file, arena)) {
            first.blockFor("ram0", 4096);

            assertThatThrownBy(() -> second.blockFor("ram0", 4096)).isInstanceOf(IOException.class)
                    .hasMessageStartingWith("another receive is writing " + file + " (its temporary file ");
        }
        assertThat(Siblings.of(file)).isEmpty();
    }

    @Test
    void theTemporaryFileIsLockedAgainstOtherProcessesUntilTheReceiveEnds() throws Exception {
        Path file = dir.resolve("copy.img");

        try (Arena arena = Arena.ofShared(); RamBlockFile target = RamBlockProvider.file(file, arena)) {
            target.claim();
            Path temporary = single(Siblings.of(file));
            assertThat(Files.size(temporary)).as("empty until a source announces its block").isZero();
            target.blockFor("ram0", 4096);

            assertThat(LockingProcess.seesLocked(temporary)).isTrue();
            target.commit();
            assertThat(LockingProcess.seesLocked(file)).as("released once committed").isFalse();
        }
    }

    @Test
    void twoInPlaceReceivesIntoOneFileTheSecondIsRefused() throws IOException {
        Path file = Files.write(dir.resolve("copy.img"), new byte[4096]);

        try (Arena arena = Arena.ofShared(); RamBlockFile first = RamBlockProvider.fileInPlace(file, arena);
             RamBlockFile second = RamBlockProvider.fileInPlace(file, arena)) {
            first.claim();

            assertThatThrownBy(second::claim).isInstanceOf(IOException.class)
                    .hasMessage("another receive is writing " + file + " in place (the file is locked)");
            assertThat(first.blockFor("ram0", 4096)).isNotNull();
            assertThat(first.writtenInPlace()).isTrue();
        }
        assertThat(Siblings.of(file)).isEmpty();
    }

    @Test
    void aReceiveThroughATemporaryFileIsRefusedWhileAnotherWritesTheFileInPlace() throws IOException {
        Path file = Files.write(dir.resolve("copy.img"), new byte[4096]);

        try (Arena arena = Arena.ofShared(); RamBlockFile inPlace = RamBlockProvider.fileInPlace(file, arena);
             RamBlockFile replacing = RamBlockProvider.file(file, arena)) {
            inPlace.claim();

            assertThatThrownBy(replacing::claim).isInstanceOf(IOException.class)
                    .hasMessage("another receive is writing " + file + " in place (the file is locked)");
            assertThat(Siblings.of(file)).as("the refused receive's temporary file is gone").isEmpty();
        }
    }

    @Test
    void anInPlaceReceiveIsRefusedWhileAnotherProcessHoldsTheFile() throws IOException {
        Path file = Files.write(dir.resolve("copy.img"), new byte[4096]);

        try (LockingProcess other = LockingProcess.holding(file); Arena arena = Arena.ofShared();
             RamBlockFile target = RamBlockProvider.fileInPlace(file, arena)) {
            assertThatThrownBy(target::claim).isInstanceOf(IOException.class)
                    .hasMessage("another receive is writing " + file + " in place (the file is locked)");
        }
        assertThat(Siblings.of(file)).isEmpty();
    }

    @Test
    void aBlockIsRefusedAfterDiscard() throws IOException {
        Path file = dir.resolve("copy.img");

        try (Arena arena = Arena.ofShared(); RamBlockFile target = RamBlockProvider.file(file, arena)) {
            target.claim();
            assertThat(target.discard()).as("no block was received into it").isNull();

            assertThatThrownBy(() -> target.blockFor("ram0", 4096)).isInstanceOf(IOException.class)
                    .hasMessage("the receive into " + file + " has ended");
        }
        assertThat(Siblings.of(file)).isEmpty();
    }

    @ParameterizedTest(name = "in place: {0}")
    @ValueSource(booleans = {false, true})
    void commitClosesEveryDescriptorOfTheReceive(boolean inPlace) throws IOException {
        Path file = Files.write(dir.resolve("copy.img"), new byte[4096]);

        try (Arena arena = Arena.ofShared(); RamBlockFile target = inPlace ? RamBlockProvider.fileInPlace(file, arena)
                : RamBlockProvider.file(file, arena)) {
            target.claim();
            target.blockFor("ram0", 4096);
            assertThat(descriptorsInto(dir)).isNotEmpty();

            target.commit();

            assertThat(target.writtenInPlace()).isEqualTo(inPlace);
            assertThat(descriptorsInto(dir)).isEmpty();
        }
    }

    @Test
    void discardClosesEveryDescriptorOfTheReceive() throws IOException {
        Path file = Files.write(dir.resolve("copy.img"), new byte[8192]);

        try (Arena arena = Arena.ofShared(); RamBlockFile target = RamBlockProvider.fileInPlace(file, arena)) {
            target.claim();
            target.blockFor("ram0", 4096);
            assertThat(descriptorsInto(dir)).as("the file's lock and the temporary file").hasSize(2);

            assertThat(target.discard()).isNotNull();

            assertThat(descriptorsInto(dir)).isEmpty();
            assertThat(target.discard()).isNull();
        }
        assertThat(Siblings.of(file)).isEmpty();
    }

    @Test
    void closeClosesEveryDescriptorOfTheReceiveAndCanBeCalledAgain() throws IOException {
        Path file = dir.resolve("copy.img");

        try (Arena arena = Arena.ofShared()) {
            RamBlockFile target = RamBlockProvider.file(file, arena);
            target.claim();
            assertThat(descriptorsInto(dir)).isNotEmpty();

            target.close();
            target.close();

            assertThat(descriptorsInto(dir)).isEmpty();
        }
        assertThat(Siblings.of(file)).isEmpty();
    }

    @Test
    void aRefusedClaimLeavesNoDescriptorOpen() throws IOException {
        Path file = Files.write(dir.resolve("copy.img"), OLD);
        Path theirs = Files.write(dir.resolve(".copy.img.0123abcd.partial"), new byte[100]);

        try (LockingProcess other = LockingProcess.holding(theirs); Arena arena = Arena.ofShared();
             RamBlockFile target = RamBlockProvider.file(file, arena)) {
            assertThatThrownBy(target::claim).isInstanceOf(IOException.class);

            assertThat(descriptorsInto(dir)).isEmpty();
        }
    }

    /** {@return the targets of this process's open descriptors that lie in {@code directory}} */
    private static List<Path> descriptorsInto(Path directory) throws IOException {
        Path fds = Path.of("/proc/self/fd");
        assumeTrue(Files.isDirectory(fds), "no /proc/self/fd here to list this process's descriptors");
        Path real = directory.toRealPath();
        List<Path> into = new ArrayList<>();
        try (Stream<Path> entries = Files.list(fds)) {
            for (Path fd : entries.toList()) {
                try {
                    Path target = Files.readSymbolicLink(fd);
                    if (target.startsWith(real)) {
                        into.add(target);
                    }
                } catch (IOException e) {
                    // The descriptor of the listing itself, closed by now.
                }
            }
        }
        return into;
    }

    private static Path single(List<Path> files) {
        assertThat(files).hasSize(1);
        return files.getFirst();
    }
}
