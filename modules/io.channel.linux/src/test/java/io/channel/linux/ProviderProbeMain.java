package io.channel.linux;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.ChannelProviders;
import io.channel.ChannelStatistics;
import io.channel.IOChannel;
import io.channel.WriteFlag;
import io.channel.memory.DirtyPages;
import io.channel.memory.DirtyTracker;
import io.channel.memory.DirtyTrackers;
import io.channel.memory.MemoryProviders;
import io.channel.spi.ChannelProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.zip.CRC32C;

/**
 * The main class of the child JVMs in {@link ChildJvmTest}; prints {@code key=value} lines the test asserts on.
 * <ul>
 *   <li>{@code select}: which provider {@link ChannelProviders#select()} picks and why.</li>
 *   <li>{@code memory}: which provider {@link MemoryProviders#select()} picks and why.</li>
 *   <li>{@code dirty}: which dirty tracker {@link DirtyTrackers#select()} picks, and what it reports for pages 3, 7
 *       and 8 written, then page 3 again, in anonymous memory and in a shared mapping of a file in
 *       {@code /dev/shm}.</li>
 *   <li>{@code send <MiB> <strict>}: sends that many MiB with ZERO_COPY over IPv4 loopback to a reader thread
 *       of the same JVM, and prints both checksums and the sender's statistics, or the error.</li>
 * </ul>
 */
public final class ProviderProbeMain {

    private static final int SEGMENT = 512 * 1024;

    private ProviderProbeMain() {
    }

    /**
     * Runs one mode.
     *
     * @param args the mode and its arguments
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "select" -> select();
            case "memory" -> memory();
            case "dirty" -> dirty();
            case "send" -> send(Integer.parseInt(args[1]), Boolean.parseBoolean(args[2]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    private static void select() {
        ChannelProviders.Selection selection = ChannelProviders.select();
        System.out.println("selected=" + selection.chosen().name());
        System.out.println("describe=" + selection.describe());
        // Not ChannelProviders.named: on a platform it does not fit, selection never instantiates the provider.
        Throwable cause = new LinuxChannelProvider().unavailabilityCause();
        System.out.println("linux-cause=" + (cause == null ? "none" : cause.getMessage()));
    }

    private static void memory() {
        MemoryProviders.Selection selection = MemoryProviders.select();
        System.out.println("selected=" + selection.chosen().name());
        System.out.println("describe=" + selection.describe());
    }

    private static void dirty() throws Exception {
        System.out.println("user=" + ProcessHandle.current().info().user().orElse("?"));
        DirtyTrackers.Selection selection = DirtyTrackers.select();
        System.out.println("dirty-selected=" + selection.chosen().name());
        System.out.println("dirty-describe=" + selection.describe());
        try (Arena arena = Arena.ofShared()) {
            System.out.println("anonymous=" + writtenTwice(new LinuxMemoryProvider().allocate(16 * 4096, false, arena)));
            Path file = Files.createTempFile(Path.of("/dev/shm"), "dirty-probe", ".bin");
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MemorySegment shared = channel.map(FileChannel.MapMode.READ_WRITE, 0, 16 * 4096, arena);
                System.out.println("shared-file=" + writtenTwice(shared));
            } finally {
                Files.delete(file);
            }
        }
    }

    /** {@return "tracker: first sync, then second sync" for pages 3, 7, 8 written, then page 3 again} */
    private static String writtenTwice(MemorySegment memory) throws Exception {
        try (DirtyTracker tracker = DirtyTrackers.track(memory)) {
            tracker.arm();
            for (int page : new int[] {3, 7, 8}) {
                memory.set(ValueLayout.JAVA_BYTE, page * 4096L, (byte) 1);
            }
            DirtyPages first = tracker.sync();
            memory.set(ValueLayout.JAVA_BYTE, 3 * 4096L + 1, (byte) 1);
            return tracker.describe() + ": " + first + ", then " + tracker.sync();
        }
    }

    private static void send(int mebibytes, boolean strict) throws Exception {
        ChannelProvider provider = ChannelProviders.named(LinuxChannelProvider.NAME);
        provider.ensureAvailability();
        provider.diagnostics().forEach((key, value) -> System.out.println("diagnostic." + key + "=" + value));
        ChannelOptions options = ChannelOptions.defaults().withZeroCopy(true).withStrictZeroCopy(strict);
        long total = (long) mebibytes << 20;
        try (Arena arena = Arena.ofShared();
             ChannelListener listener = provider.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     options.withZeroCopy(false))) {
            // One 16 MiB random block, sent repeatedly and never modified, so reuse before a flush is safe.
            MemorySegment block = arena.allocate(16 << 20);
            byte[] random = new byte[(int) block.byteSize()];
            new Random(42).nextBytes(random);
            MemorySegment.copy(random, 0, block, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, random.length);
            CRC32C sent = new CRC32C();
            CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> receive(listener, total));
            try (IOChannel channel = provider.connect(listener.localAddress(), options)) {
                MemorySegment[] segments = new MemorySegment[(int) (block.byteSize() / SEGMENT)];
                for (int i = 0; i < segments.length; i++) {
                    segments[i] = block.asSlice((long) i * SEGMENT, SEGMENT);
                }
                for (long done = 0; done < total; done += block.byteSize()) {
                    channel.writevAll(segments, 0, segments.length, WriteFlag.ZERO_COPY);
                    sent.update(block.asByteBuffer());
                }
                System.out.println("flush=" + channel.flush());
                ChannelStatistics statistics = channel.statistics();
                System.out.println("statistics=" + statistics);
                System.out.println("fallback-or-retry=" + (statistics.enobufsRetries() + statistics.copyFallbacks()));
            } catch (Exception e) {
                System.out.println("error=" + e.getMessage());
                received.cancel(true);
                System.exit(3);
            }
            System.out.println("sent-crc=" + Long.toHexString(sent.getValue()));
            System.out.println("received-crc=" + Long.toHexString(received.get()));
        }
    }

    private static long receive(ChannelListener listener, long total) {
        try (IOChannel channel = listener.accept(); Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(1 << 20);
            CRC32C crc = new CRC32C();
            long done = 0;
            while (done < total) {
                long n = channel.readv(new MemorySegment[] {buffer}, 0, 1);
                if (n < 0) {
                    break;
                }
                ByteBuffer bytes = buffer.asSlice(0, n).asByteBuffer();
                crc.update(bytes);
                done += n;
            }
            System.out.println("received-bytes=" + done);
            return crc.getValue();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
