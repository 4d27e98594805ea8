package io.channel.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.Feature;
import io.channel.IOChannel;
import io.channel.ReceivedDescriptors;
import io.channel.TooManyDescriptorsException;
import io.channel.memory.HandoverMemory;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Linux provider's Unix domain sockets: bytes, the peer's user, and descriptors passed and checked before
 * anything is mapped, with no descriptor left open on any refusal.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DescriptorPassingTest {

    private final LinuxChannelProvider channels = new LinuxChannelProvider();
    private final LinuxMemoryProvider memory = new LinuxMemoryProvider();

    @TempDir
    Path directory;

    private Arena arena;
    private ChannelListener listener;
    private IOChannel sender;
    private IOChannel receiver;

    @BeforeEach
    void connect() throws IOException {
        Throwable cause = channels.unavailabilityCause();
        assumeTrue(cause == null, () -> "Linux channel provider unavailable: " + cause);
        arena = Arena.ofShared();
        listener = channels.listen(UnixDomainSocketAddress.of(directory.resolve("d.sock")), ChannelOptions.defaults());
        sender = channels.connect(listener.localSocketAddress(), ChannelOptions.defaults());
        receiver = listener.accept();
        // The listener started the once-per-process handover rehearsal; descriptors are counted after it ended.
        HandoverRehearsal.awaitEnd();
    }

    @AfterEach
    void close() throws IOException {
        if (arena == null) {
            return;
        }
        sender.close();
        receiver.close();
        listener.close();
        arena.close();
    }

    private static long openDescriptors() throws IOException {
        try (var list = Files.list(Path.of("/proc/self/fd"))) {
            return list.count();
        }
    }

    private MemorySegment oneByte() {
        return arena.allocate(1);
    }

    @Test
    void bytesAndThePeersUserCrossTheProvidersOwnSocket() throws IOException {
        MemorySegment sent = arena.allocate(300_000);
        sent.fill((byte) 7);
        MemorySegment received = arena.allocate(sent.byteSize());
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                sender.writeAll(sent);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        receiver.readFully(received);

        assertThat(received.mismatch(sent)).isEqualTo(-1);
        assertThat(receiver.features()).contains(Feature.PASS_DESCRIPTORS);
        assertThat(receiver.peerUser()).contains(FileSystems.getDefault().getUserPrincipalLookupService()
                .lookupPrincipalByName(System.getProperty("user.name")));
        assertThat(listener.localSocketAddress()).isEqualTo(UnixDomainSocketAddress.of(directory.resolve("d.sock")));
        try {
            writer.join();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aMemfdPassedOverTheSocketMapsTheSamePagesAtTheOtherEnd() throws IOException {
        HandoverMemory handed = memory.allocateForHandover("ram0", 3 * 4096 + 5, false, arena);
        handed.memory().set(ValueLayout.JAVA_LONG, 4096, 0x1234_5678_9abc_def0L);

        sender.writeWithDescriptors(oneByte(), handed.descriptor());
        HandoverMemory taken;
        try (ReceivedDescriptors descriptors = receiver.readWithDescriptors(oneByte(), 1)) {
            assertThat(descriptors.count()).isEqualTo(1);
            taken = memory.mapHandedOver(descriptors.take(0), 3 * 4096 + 5, 4 * 4096, true, arena);
        }

        assertThat(taken.memory().get(ValueLayout.JAVA_LONG, 4096)).isEqualTo(0x1234_5678_9abc_def0L);
        taken.memory().set(ValueLayout.JAVA_BYTE, 0, (byte) 9);
        assertThat(handed.memory().get(ValueLayout.JAVA_BYTE, 0)).isEqualTo((byte) 9);
        assertThat(taken.descriptor()).isNotEqualTo(handed.descriptor());
    }

    @Test
    void moreDescriptorsThanExpectedAreRefusedAndAllClosed() throws IOException {
        HandoverMemory first = memory.allocateForHandover("a", 4096, false, arena);
        HandoverMemory second = memory.allocateForHandover("b", 4096, false, arena);
        long before = openDescriptors();

        sender.writeWithDescriptors(oneByte(), first.descriptor(), second.descriptor());

        // CMSG_SPACE of one int has room for two on x86_64 (alignment to 8 bytes): the kernel cuts nothing.
        assertThatThrownBy(() -> receiver.readWithDescriptors(oneByte(), 1))
                .isInstanceOfSatisfying(TooManyDescriptorsException.class, e -> {
                    assertThat(e.expected()).isEqualTo(1);
                    assertThat(e.truncated()).isFalse();
                })
                .hasMessage("more descriptors arrived than the 1 expected (2 arrived): every one is closed");
        assertThat(openDescriptors()).isEqualTo(before);
    }

    @Test
    void descriptorsBeyondTheRoomGivenAreCutByTheKernelAndTheRestClosed() throws IOException {
        int[] three = new int[3];
        for (int i = 0; i < three.length; i++) {
            three[i] = memory.allocateForHandover("d" + i, 4096, false, arena).descriptor();
        }
        long before = openDescriptors();

        sender.writeWithDescriptors(oneByte(), three);

        assertThatThrownBy(() -> receiver.readWithDescriptors(oneByte(), 1))
                .isInstanceOfSatisfying(TooManyDescriptorsException.class, e -> assertThat(e.truncated()).isTrue())
                .hasMessage("more descriptors arrived than the 1 expected (the control message was cut, MSG_CTRUNC):"
                        + " every one is closed");
        assertThat(openDescriptors()).isEqualTo(before);
    }

    @Test
    void aDescriptorOfTheWrongSizeIsRefusedClosedAndNothingIsMapped() throws IOException {
        HandoverMemory handed = memory.allocateForHandover("ram0", 8192, false, arena);
        long before = openDescriptors();
        String maps = MemfdMemory.procSelfMaps();

        sender.writeWithDescriptors(oneByte(), handed.descriptor());
        try (ReceivedDescriptors descriptors = receiver.readWithDescriptors(oneByte(), 1)) {
            int fd = descriptors.take(0);
            assertThatThrownBy(() -> memory.mapHandedOver(fd, 16384, 16384, true, arena))
                    .isInstanceOf(IOException.class)
                    .hasMessage("the descriptor's file holds 8192 bytes, but 16384 were announced");
        }

        assertThat(openDescriptors()).isEqualTo(before);
        assertThat(MemfdMemory.procSelfMaps().lines().count()).isEqualTo(maps.lines().count());
    }

    @Test
    void anUnsealedFileAnnouncedSealedIsRefused() throws IOException {
        Path file = Files.createTempFile(Path.of("/dev/shm"), "handover", ".ram");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(4096);
            int fd = (int) descriptorOf(file);
            sender.writeWithDescriptors(oneByte(), fd);
            try (ReceivedDescriptors descriptors = receiver.readWithDescriptors(oneByte(), 1)) {
                int received = descriptors.take(0);
                assertThatThrownBy(() -> memory.mapHandedOver(received, 4096, 4096, true, arena))
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining("announced sealed, but its seals are F_SEAL_SEAL, not"
                                + " F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_SEAL");
            }
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void aFileNotInMemoryAndADescriptorThatIsNoFileAreRefused() throws IOException {
        Path file = directory.resolve("on-disk");
        assumeTrue(!"tmpfs".equals(Files.getFileStore(directory).type()), "the temporary directory is on tmpfs");
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(4096);
            sender.writeWithDescriptors(oneByte(), (int) descriptorOf(file));
            try (ReceivedDescriptors descriptors = receiver.readWithDescriptors(oneByte(), 1)) {
                int received = descriptors.take(0);
                assertThatThrownBy(() -> memory.mapHandedOver(received, 4096, 4096, false, arena))
                        .hasMessageContaining("is not a file in memory (memfd, tmpfs or hugetlbfs)");
            }
        }
        // A socket is no regular file.
        sender.writeWithDescriptors(oneByte(), ((UnixChannel) sender).descriptorNumber());
        try (ReceivedDescriptors descriptors = receiver.readWithDescriptors(oneByte(), 1)) {
            int received = descriptors.take(0);
            assertThatThrownBy(() -> memory.mapHandedOver(received, 4096, 4096, false, arena))
                    .hasMessageStartingWith("the descriptor is not a regular file");
        }
    }

    @Test
    void descriptorsNotTakenAreClosedWithTheirHolder() throws IOException {
        HandoverMemory handed = memory.allocateForHandover("ram0", 4096, false, arena);
        long before = openDescriptors();

        sender.writeWithDescriptors(oneByte(), handed.descriptor());
        ReceivedDescriptors descriptors = receiver.readWithDescriptors(oneByte(), 4);
        assertThat(openDescriptors()).isEqualTo(before + 1);
        descriptors.close();
        descriptors.close();

        assertThat(openDescriptors()).isEqualTo(before);
    }

    /** The descriptor number of an open {@code file}, found in {@code /proc/self/fd}. */
    private static long descriptorOf(Path file) throws IOException {
        Path real = file.toRealPath();
        try (var list = Files.list(Path.of("/proc/self/fd"))) {
            for (Path link : list.toList()) {
                try {
                    if (Files.readSymbolicLink(link).equals(real)) {
                        return Long.parseLong(link.getFileName().toString());
                    }
                } catch (IOException e) {
                    // A descriptor closed while listing (the listing's own).
                }
            }
        }
        throw new AssertionError("no open descriptor of " + file);
    }

    /**
     * Whichever comes first, the close or the accept, or the close between the shutdown that wakes a blocked
     * accept and the mark that the socket is closed: the accept ends as closed, never with accept4's EINVAL.
     */
    @RepeatedTest(20)
    void closingAUnixListenerEndsAnAcceptOnAnotherThreadAsClosed() throws Exception {
        ChannelListener other = channels.listen(UnixDomainSocketAddress.of(directory.resolve("other.sock")),
                ChannelOptions.defaults());
        try (ExecutorService thread = Executors.newSingleThreadExecutor()) {
            Future<IOChannel> accepted = thread.submit(other::accept);

            other.close();

            assertThatThrownBy(accepted::get).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(ClosedChannelException.class);
        }
    }
}
