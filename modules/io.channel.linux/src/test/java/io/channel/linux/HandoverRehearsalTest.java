package io.channel.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.IOChannel;
import io.channel.linux.internal.Syscalls;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The handover a Unix domain socket listener or handover memory rehearses ahead, and what it leaves behind. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandoverRehearsalTest {

    @TempDir
    Path directory;

    @BeforeEach
    void linux() {
        Throwable cause = new LinuxChannelProvider().unavailabilityCause();
        assumeTrue(cause == null, () -> "Linux channel provider unavailable: " + cause);
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> list = Files.list(Path.of("/proc/self/fd"))) {
            return list.count();
        }
    }

    private static long rehearsalDirectories() throws IOException {
        try (Stream<Path> list = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return list.filter(p -> p.getFileName().toString().startsWith("multifd-rehearsal")).count();
        }
    }

    @Test
    void aRehearsalRunsTheWholePathAndLeavesNoDescriptorSocketOrDirectory() throws IOException {
        HandoverRehearsal.rehearse(Syscalls.nativeSyscalls());
        long descriptors = openDescriptors();
        long directories = rehearsalDirectories();

        HandoverRehearsal.rehearse(Syscalls.nativeSyscalls());

        assertThat(openDescriptors()).isEqualTo(descriptors);
        assertThat(rehearsalDirectories()).isEqualTo(directories);
    }

    @Test
    void aConnectionAcceptedAfterListeningNeverRunsBesideTheBackgroundRehearsal() throws IOException {
        long before = openDescriptors();
        try (ChannelListener listener = new LinuxChannelProvider().listen(
                UnixDomainSocketAddress.of(directory.resolve("r.sock")), ChannelOptions.defaults());
             IOChannel client = new LinuxChannelProvider().connect(listener.localSocketAddress(),
                     ChannelOptions.defaults());
             IOChannel server = listener.accept()) {
            // The listener, both ends: whatever the rehearsal opened is closed by the time connect returned.
            assertThat(openDescriptors()).isEqualTo(before + 3);
        }
        assertThat(openDescriptors()).isEqualTo(before);
    }
}
