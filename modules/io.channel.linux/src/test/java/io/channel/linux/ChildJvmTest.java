package io.channel.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testkit.Tier;

/**
 * Runs {@link ProviderProbeMain} in child JVMs started from the running JDK, with the module path of this test
 * run and the test classes patched into module {@code io.channel.linux}, to check what depends on the command
 * line: native access, the OS, and the memlock limit of an unprivileged user.
 */
@Tier.ChildJvm
class ChildJvmTest {

    private static final String NATIVE_ACCESS = "--enable-native-access=io.channel.linux";

    private record Result(int exitCode, String output) {
        String value(String key) {
            return output.lines().filter(line -> line.startsWith(key + "=")).map(line -> line.substring(key.length() + 1))
                    .findFirst().orElse("<no " + key + " in output>\n" + output);
        }
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    private static Path testClasses() throws Exception {
        return Path.of(ProviderProbeMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static List<Path> modulePath() {
        String path = System.getProperty("jdk.module.path");
        assumeTrue(path != null && !path.isBlank(), "tests do not run on the module path (no jdk.module.path)");
        return Arrays.stream(path.split(File.pathSeparator)).map(Path::of).toList();
    }

    private static List<String> command(List<Path> modulePath, Path testClasses, List<String> jvmOptions,
                                        String... args) {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(jvmOptions);
        command.add("--module-path");
        command.add(modulePath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)));
        command.add("--patch-module");
        command.add("io.channel.linux=" + testClasses);
        command.add("-m");
        command.add("io.channel.linux/" + ProviderProbeMain.class.getName());
        command.addAll(List.of(args));
        return command;
    }

    private static Result run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("child exited").isTrue();
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    private static Result runHere(List<String> jvmOptions, String... args) throws Exception {
        return run(command(modulePath(), testClasses(), jvmOptions, args));
    }

    @Test
    @Timeout(60)
    void withoutNativeAccessTheLinuxProviderIsRejectedNamingTheFlagAndCopyIsChosen() throws Exception {
        Result result = runHere(List.of(), "select");

        assertThat(result.value("selected")).isEqualTo("copy");
        assertThat(result.value("linux-cause")).contains(NATIVE_ACCESS);
        assertThat(result.value("describe")).contains("passed over 'linux'").contains(NATIVE_ACCESS);
    }

    @Test
    @Timeout(60)
    void onAnotherOsTheLinuxProviderIsNotInstantiatedAndCopyIsChosenSayingWhy() throws Exception {
        Result result = runHere(List.of(NATIVE_ACCESS, "-Dos.name=Mac OS X"), "select");

        assertThat(result.value("selected")).isEqualTo("copy");
        assertThat(result.value("describe")).contains("passed over '" + LinuxChannelProvider.class.getName()
                + "' (not instantiated: it supports only linux").contains("Mac OS X");
        assertThat(result.value("linux-cause")).contains("needs Linux").contains("Mac OS X");
    }

    @Test
    @Timeout(60)
    void withoutNativeAccessMemoryComesFromThePortableProviderAndTheLinuxOneIsNamedAsPassedOver() throws Exception {
        Result result = runHere(List.of(), "memory");

        assertThat(result.value("selected")).isEqualTo("portable");
        assertThat(result.value("describe")).startsWith("using memory provider 'portable'; passed over 'linux': ")
                .contains(NATIVE_ACCESS);
    }

    @Test
    @Timeout(60)
    void theMemoryPropertyForcesThePortableProviderEvenWithNativeAccess() throws Exception {
        Result result = runHere(List.of(NATIVE_ACCESS, "-Dio.channel.memory.provider=portable"), "memory");

        assertThat(result.value("selected")).isEqualTo("portable");
        assertThat(result.value("describe")).isEqualTo("using memory provider 'portable' (forced by"
                + " -Dio.channel.memory.provider=portable); passed over 'linux' (not requested)");
    }

    @Test
    @Timeout(60)
    void theDisabledPropertySwitchesTheProviderOff() throws Exception {
        Result result = runHere(List.of(NATIVE_ACCESS, "-Dio.channel.linux.disabled=true"), "select");

        assertThat(result.value("selected")).isEqualTo("copy");
        assertThat(result.value("linux-cause")).contains("io.channel.linux.disabled=true");
    }

    @Test
    @Timeout(60)
    void withNativeAccessTheLinuxProviderIsChosen() throws Exception {
        assumeTrue(new LinuxChannelProvider().isAvailable(),
                () -> String.valueOf(new LinuxChannelProvider().unavailabilityCause()));

        Result result = runHere(List.of(NATIVE_ACCESS), "select");

        assertThat(result.value("selected")).isEqualTo("linux");
    }

    /** Runs the sender as user nobody with 64 KiB of memlock, from a world-readable copy of the module path. */
    private static Result sendAsNobody(boolean strict) throws Exception {
        assumeTrue(new LinuxChannelProvider().isAvailable(),
                () -> String.valueOf(new LinuxChannelProvider().unavailabilityCause()));
        return runAsNobody("send", "256", String.valueOf(strict));
    }

    /**
     * Runs {@link ProviderProbeMain} as user nobody with 64 KiB of memlock, from a world-readable copy of the
     * module path.
     */
    private static Result runAsNobody(String... args) throws Exception {
        assumeTrue(ProcessHandle.current().info().user().map("root"::equals).orElse(false),
                "switching to user nobody needs root");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")) && Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "needs prlimit and setpriv (util-linux)");
        Path copy = Files.createTempDirectory("io-channel-linux-child");
        try {
            Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
            List<Path> modulePath = new ArrayList<>();
            int i = 0;
            for (Path entry : modulePath()) {
                if (Files.exists(entry)) {
                    Path target = copy.resolve(i++ + "-" + entry.getFileName());
                    copyReadable(entry, target);
                    modulePath.add(target);
                }
            }
            Path testClasses = copy.resolve("test-classes");
            copyReadable(testClasses(), testClasses);
            List<String> command = new ArrayList<>(List.of("/usr/bin/prlimit", "--memlock=65536:65536",
                    "/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"));
            command.addAll(command(modulePath, testClasses, List.of(NATIVE_ACCESS, "-Xmx256m"), args));
            return run(command);
        } finally {
            deleteTree(copy);
        }
    }

    @Test
    @Timeout(60)
    void asNobodyTheKernelDirtyTrackerReportsExactlyTheWrittenPagesOfAnonymousAndSharedFileMemory()
            throws Exception {
        assumeTrue(new LinuxDirtyTrackerProvider().isAvailable(),
                () -> String.valueOf(new LinuxDirtyTrackerProvider().unavailabilityCause()));

        Result result = runAsNobody("dirty");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.value("user")).isEqualTo("nobody");
        assertThat(result.value("dirty-selected")).isEqualTo("linux");
        assertThat(result.value("anonymous")).isEqualTo("linux: [3,4) [7,9), then [3,4)");
        assertThat(result.value("shared-file")).isEqualTo("linux: [3,4) [7,9), then [3,4)");
    }

    @Test
    @Timeout(60)
    void underA64KibMemlockLimitEveryByteArrivesAndTheLimitShowsInTheCounters() throws Exception {
        Result result = sendAsNobody(false);

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.value("received-bytes")).isEqualTo(String.valueOf(256L << 20));
        assertThat(result.value("received-crc")).isEqualTo(result.value("sent-crc"));
        assertThat(Long.parseLong(result.value("fallback-or-retry"))).as(result.output()).isPositive();
        assertThat(result.value("diagnostic.rlimit-memlock")).startsWith("65536 bytes");
        assertThat(result.value("diagnostic.ipc-lock-exempt")).isEqualTo("no");
    }

    @Test
    @Timeout(60)
    void underA64KibMemlockLimitStrictZeroCopyFailsWithQemusMessageNamingBothLimits() throws Exception {
        Result result = sendAsNobody(true);

        assertThat(result.exitCode()).as(result.output()).isEqualTo(3);
        assertThat(result.value("error"))
                .startsWith("Process can't lock enough memory for using MSG_ZEROCOPY: No buffer space available")
                .contains("RLIMIT_MEMLOCK 65536 bytes").contains("net.core.optmem_max")
                .contains("ulimit -l");
    }

    private static void copyReadable(Path source, Path target) throws IOException {
        if (Files.isRegularFile(source)) {
            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r--r--"));
            return;
        }
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path to = target.resolve(source.relativize(dir).toString());
                Files.createDirectories(to);
                Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path to = target.resolve(source.relativize(file).toString());
                Files.copy(file, to);
                Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rw-r--r--"));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
