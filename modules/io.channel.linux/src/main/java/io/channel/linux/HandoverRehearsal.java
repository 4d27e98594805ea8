package io.channel.linux;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.IOChannel;
import io.channel.ReceivedDescriptors;
import io.channel.linux.internal.NativeSyscalls;
import io.channel.linux.internal.Syscalls;
import io.channel.memory.HandoverMemory;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A handover on one page between two sockets of this process, once, on a daemon thread, ahead of a real one:
 * a Unix domain socket listened on, connected and accepted, the peer's user read, a sealed {@code memfd} passed
 * with {@code SCM_RIGHTS}, received, checked, mapped and write-protected, everything closed.
 *
 * <p>Why: a fresh JVM pays for the first run of each of these (downcall stubs, the generated structs' var
 * handles, the classes of the path), several milliseconds each, tens of milliseconds in all. A handover's setup
 * and downtime are a few milliseconds of work, so that first run would be most of them. A destination listening
 * on a Unix domain socket, or a process that made memory to hand over, usually waits long before the handover
 * (for its source to connect, or for its own application to finish); rehearsing then costs nothing the
 * migration waits for. A rehearsal that fails changes nothing: the real handover reports what fails there.
 */
final class HandoverRehearsal {

    private static final System.Logger LOG = System.getLogger("io.channel.linux");
    private static final long PAGE = 4096;
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    /** Counted down when the rehearsal has ended, however. */
    private static final CountDownLatch ENDED = new CountDownLatch(1);
    /** How long a real connection waits for a rehearsal in progress, at most. */
    private static final Duration WAIT_LIMIT = Duration.ofSeconds(5);
    private static volatile Thread rehearsing;

    private HandoverRehearsal() {
    }

    /** Starts the rehearsal on a daemon thread, once per process; returns at once and never throws. */
    static void startOnce() {
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        try {
            NativeSyscalls.linkAhead();
            // Known before it runs: its own connect and accept must not wait for it (awaitEnd).
            Thread thread = Thread.ofPlatform().daemon().name("multifd-handover-rehearsal").unstarted(() -> {
                try {
                    Path directory = Path.of(System.getProperty("java.io.tmpdir"), "multifd-rehearsal-"
                            + ProcessHandle.current().pid() + "-" + System.nanoTime());
                    rehearse(Syscalls.nativeSyscalls(), directory);
                } catch (IOException | RuntimeException e) {
                    LOG.log(System.Logger.Level.DEBUG, () -> "the handover rehearsal failed: " + e.getMessage());
                } finally {
                    ENDED.countDown();
                }
            });
            rehearsing = thread;
            thread.start();
        } catch (RuntimeException | OutOfMemoryError e) {
            // No thread for it (the process is out of threads): nothing rehearses, and nothing waits for it.
            ENDED.countDown();
            LOG.log(System.Logger.Level.DEBUG, () -> "the handover rehearsal did not start: " + e);
        }
    }

    /**
     * Waits until a rehearsal in progress has ended, so that a real connection never runs beside it: the
     * rehearsal holds sockets and a {@code memfd} meanwhile, and the work it does is what the connection would do
     * first anyway. Returns at once when none was started, when it has ended, or on the rehearsal's own thread;
     * else after {@link #WAIT_LIMIT} at most, or at once on an interrupt, whose status it keeps.
     */
    static void awaitEnd() {
        if (!STARTED.get() || Thread.currentThread() == rehearsing) {
            return;
        }
        try {
            ENDED.await(WAIT_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs the whole path once, with its socket in {@code directory}, which it creates (it must not exist: a
     * name taken already fails the rehearsal rather than reusing what someone else made) and removes.
     *
     * @param sys       the system calls
     * @param directory where the socket goes
     * @throws IOException if a step fails
     */
    static void rehearse(Syscalls sys, Path directory) throws IOException {
        Files.createDirectory(directory);
        Path socket = directory.resolve("s");
        try (Arena arena = Arena.ofShared();
             ChannelListener listener = UnixSockets.listen(sys, UnixDomainSocketAddress.of(socket),
                     ChannelOptions.defaults());
             IOChannel client = UnixSockets.connect(sys, UnixDomainSocketAddress.of(socket),
                     ChannelOptions.defaults());
             IOChannel server = listener.accept()) {
            server.peerUser();
            HandoverMemory memory = MemfdMemory.allocate(sys, "multifd-rehearsal", PAGE, false, arena);
            MemorySegment sent = arena.allocate(Long.BYTES);
            client.writeWithDescriptors(sent, memory.descriptor());
            MemorySegment received = arena.allocate(Long.BYTES);
            try (ReceivedDescriptors descriptors = server.readWithDescriptors(received, 1)) {
                MemfdMemory.map(sys, descriptors.take(0), PAGE, memory.fileSize(), memory.sealed(), arena);
            }
            MemfdMemory.writeProtect(sys, memory.memory());
        } finally {
            Files.deleteIfExists(socket);
            Files.deleteIfExists(directory);
        }
    }
}
