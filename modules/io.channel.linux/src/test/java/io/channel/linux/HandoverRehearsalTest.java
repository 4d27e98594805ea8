package io.channel.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.IOChannel;
import io.channel.linux.internal.Syscalls;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.FileAlreadyExistsException;
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
        HandoverRehearsal.startOnce();
        HandoverRehearsal.awaitEnd();
    }

    private static long openDescriptors() throws IOException {
        try (Stream<Path> list = Files.list(Path.of("/proc/self/fd"))) {
            return list.count();
        }
    }

    @Test
    void aRehearsalRunsTheWholePathAndLeavesNoDescriptorSocketOrDirectory() throws IOException {
        HandoverRehearsal.rehearse(Syscalls.nativeSyscalls(), directory.resolve("first"));
        long descriptors = openDescriptors();

        HandoverRehearsal.rehearse(Syscalls.nativeSyscalls(), directory.resolve("second"));

        assertThat(openDescriptors()).isEqualTo(descriptors);
        try (Stream<Path> left = Files.list(directory)) {
            assertThat(left).as("each rehearsal removes its socket and directory").isEmpty();
        }
    }

    @Test
    void aRehearsalRefusesADirectoryThatExistsAlready() throws IOException {
        Path taken = Files.createDirectory(directory.resolve("taken"));

        assertThatThrownBy(
                        () -> HandoverRehearsal.rehearse(Syscalls.nativeSyscalls(), taken))
                .isInstanceOf(FileAlreadyExistsException.class);
        assertThat(taken).isDirectory();
    }

    @Test
    void afterTheRehearsalEndedAListenerAndAConnectionOpenOnlyTheirOwnDescriptors() throws IOException {
        long before = openDescriptors();
        try (ChannelListener listener = new LinuxChannelProvider().listen(
                UnixDomainSocketAddress.of(directory.resolve("r.sock")), ChannelOptions.defaults());
             IOChannel client = new LinuxChannelProvider().connect(listener.localSocketAddress(),
                     ChannelOptions.defaults());
             IOChannel server = listener.accept()) {
            assertThat(openDescriptors()).as("the listener and both ends").isEqualTo(before + 3);
        }
        assertThat(openDescriptors()).isEqualTo(before);
    }
}
