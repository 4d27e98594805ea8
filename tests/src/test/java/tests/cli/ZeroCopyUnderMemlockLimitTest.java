package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testkit.JsonReader;
import testkit.Tier;

/**
 * The image's {@code multifd demo} run as user {@code nobody} under a 64 KiB {@code RLIMIT_MEMLOCK}: the kernel
 * refuses to pin every zero-copy write of a packet ({@code ENOBUFS}: a send is charged {@code len/4096 + 2}
 * pages, so nothing above 56 KiB fits, see {@code mm_account_pinned_pages} in {@code net/core/skbuff.c}). With
 * {@code --zero-copy on} that must fail the migration with QEMU's words; with {@code auto} the writes are copied
 * and the statistics say so. Root is exempt (CAP_IPC_LOCK), hence the switch to {@code nobody}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Tier.Image
class ZeroCopyUnderMemlockLimitTest {

    /** {@return the command running {@code multifd <args>} as nobody with 64 KiB of memlock, soft and hard} */
    private static List<String> asNobodyUnder64KibMemlock(String... args) {
        assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).startsWith("linux"),
                "the Linux provider works on Linux only, this is " + System.getProperty("os.name"));
        assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false),
                "switching to user nobody needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")) && Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "needs prlimit and setpriv (util-linux)");
        List<String> command = new ArrayList<>(List.of("/usr/bin/prlimit", "--memlock=65536:65536",
                "/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
        command.add(readableImage().resolve("bin/multifd").toString());
        command.addAll(List.of(args));
        return command;
    }

    /** A copy of the image that nobody can reach, made on first use: the build's may sit under a 0700 directory. */
    private static Path readableCopy;

    /**
     * {@return a copy of the image that user nobody can read and run} The build's own may sit under a directory
     * only root may enter (a checkout under {@code mktemp -d}); a temporary directory opened to all, holding a copy
     * with the image's own file modes, is reachable from anywhere.
     */
    private static synchronized Path readableImage() {
        if (readableCopy == null) {
            try {
                Path directory = Files.createTempDirectory("multifd-image-for-nobody");
                Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
                Path image = Launcher.image();
                try (var paths = Files.walk(image)) {
                    for (Path from : (Iterable<Path>) paths::iterator) {
                        Path to = directory.resolve("image").resolve(image.relativize(from).toString());
                        Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
                readableCopy = directory.resolve("image");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot copy the image for user nobody", e);
            }
        }
        return readableCopy;
    }

    @AfterAll
    static void deleteTheCopy() throws IOException {
        if (readableCopy != null) {
            try (var paths = Files.walk(readableCopy.getParent())) {
                for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(path);
                }
            }
        }
    }

    @Test
    void zeroCopyOnFailsWithQemusMessageNamingBothLimits() {
        Launcher.Result run = Launcher.start(asNobodyUnder64KibMemlock("demo", "--size", "16m", "--zero-copy", "on"),
                Map.of()).result();

        assertThat(run.exitCode()).as(run.describe()).isEqualTo(1);
        assertThat(run.err()).as(run.describe())
                .contains("Process can't lock enough memory for using MSG_ZEROCOPY: No buffer space available")
                .contains("RLIMIT_MEMLOCK 65536 bytes (soft; hard 65536 bytes)")
                .contains("net.core.optmem_max")
                .contains("CAP_IPC_LOCK no");
        assertThat(run.out()).as(run.describe()).doesNotContain("digests verified");
    }

    @SuppressWarnings("unchecked")
    @Test
    void zeroCopyAutoCopiesAndSaysItIsNotActiveBecauseOfTheLockedMemoryLimit() {
        // The Linux provider named: with auto alone a source on loopback knows the kernel copies and never tries.
        Launcher.Result run = Launcher.start(asNobodyUnder64KibMemlock("demo", "--size", "16m", "--zero-copy", "auto",
                "--provider", "linux", "--json"), Map.of()).result();

        assertThat(run.exitCode()).as(run.describe()).isZero();
        Map<String, Object> json = JsonReader.object(run.out());
        assertThat(json).containsEntry("status", "completed").containsEntry("verified", true);
        Map<String, Object> zeroCopy = (Map<String, Object>) json.get("zero-copy");
        assertThat(zeroCopy).as(run.describe()).containsEntry("mode", "auto").containsEntry("active", false);
        assertThat((Long) zeroCopy.get("copy-fallbacks")).as(run.describe()).isPositive();
        assertThat((String) zeroCopy.get("reason")).as(run.describe())
                .contains("the kernel refused to pin zero-copy writes for lack of locked memory")
                .contains("RLIMIT_MEMLOCK 65536 bytes")
                .doesNotContain("zero-copy in effect");
        assertThat((List<Map<String, Object>>) json.get("channels")).as(run.describe())
                .allSatisfy(channel -> assertThat(channel).containsEntry("zero-copy", false));
    }
}
