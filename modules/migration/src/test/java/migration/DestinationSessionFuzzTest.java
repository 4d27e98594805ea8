package migration;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A stateful fuzz target: a whole destination session (real sockets on loopback, the copying provider) driven by
 * a source that sends frames and packets in any order on up to four channels, as an input script says, valid or
 * not. Whatever the script, once the source has closed every connection a destination that got a HELLO ends (one
 * that did not is still waiting for its source, and ends when closed); nothing is written
 * outside its block (guard bytes on both sides stay as they were); and it reports success only if the source's
 * first COMPLETE was consistent: as many data packets as were sent, and as many rounds as every channel sent SYNCs.
 *
 * <p>The script is read a byte at a time (missing bytes read as 0), an action per opcode byte (see
 * {@link Script#step}), so that hand-written inputs under {@code DestinationSessionFuzzTestInputs/} can describe a
 * whole valid migration.
 */
class DestinationSessionFuzzTest {

    private static final long PAGE = MigrationProtocol.PAGE_SIZE;
    private static final int PAGES = 16;
    private static final long BLOCK = PAGES * PAGE;
    private static final long GUARD = 64 * 1024;
    private static final byte PATTERN = (byte) 0xA5;
    /** The destination's setup timeout: short, so that a script that never completes a handshake ends soon. */
    private static final Duration SETUP = Duration.ofMillis(500);
    /** Longer than the 10 s silence limit: past it, the destination did not end on its own. */
    private static final Duration ENDS_WITHIN = Duration.ofSeconds(15);
    private static final int MAX_ACTIONS = 48;

    // Under the 5-minute JUnit timeout of the build, which covers a whole fuzzing run as one test.
    @FuzzTest(maxDuration = "4m")
    void aDestinationEndsWritesOnlyInsideItsBlockAndSucceedsOnlyAfterAConsistentComplete(byte[] input)
            throws Exception {
        drive(input);
    }

    /** One migration of two channels and two rounds, as a script: the harness can reach success. */
    static final byte[] TWO_ROUNDS = {0, 1, 1, 0, 1, 1, 1, 1, 2, 0, 7, 0, 1, 2, 1, 7, 8, 1, 3, 0, 3, 1, 4, 1,
        2, 0, 15, 0, 1, 3, 0, 3, 1, 5, 1};

    @Test
    void aScriptOfAWholeValidMigrationCompletes() throws Exception {
        assertThat(drive(TWO_ROUNDS)).isEqualTo(MigrationStatus.COMPLETED);
    }

    @Test
    void aCompleteCountingOnePacketTooManyFailsTheMigration() throws Exception {
        byte[] script = TWO_ROUNDS.clone();
        // The COMPLETE at the end: not the consistent variant (0), 2 rounds, 4 packets (3 were sent).
        byte[] inconsistent = Arrays.copyOf(script, script.length + 2);
        inconsistent[script.length - 1] = 0;
        inconsistent[script.length] = 2;
        inconsistent[script.length + 1] = 4;

        assertThat(drive(inconsistent)).isEqualTo(MigrationStatus.FAILED);
    }

    /** Runs a script against a fresh destination, checks the invariants and returns how the destination ended. */
    private static MigrationStatus drive(byte[] input) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment whole = arena.allocate(BLOCK + 2 * GUARD, 4096);
            whole.fill(PATTERN);
            RamBlock block = RamBlock.of("ram0", whole.asSlice(GUARD, BLOCK));
            MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.fixed(List.of(block)),
                    MigrationParameters.defaults().withProvider("copy").withSetupTimeout(SETUP));
            Script script = new Script(input, new FakeSource(destination.localAddress()));
            try {
                script.run();
            } finally {
                script.source.close();
            }
            boolean ended;
            try {
                // A destination that never got a HELLO is still waiting for its source, as it should.
                ended = !script.started() || destination.await(ENDS_WITHIN);
            } finally {
                destination.close();
            }

            assertThat(ended).as("the destination ended within %s of the source closing every connection; %s",
                    ENDS_WITHIN, script.log).isTrue();
            if (destination.stats().status() == MigrationStatus.COMPLETED) {
                assertThat(script.consistentFirstComplete()).as("success after a consistent COMPLETE; %s", script.log)
                        .isTrue();
            }
            assertThat(TestMemory.firstNotEqual(whole.asSlice(0, GUARD), PATTERN)).as("bytes before the block; %s",
                    script.log).isEqualTo(-1);
            assertThat(TestMemory.firstNotEqual(whole.asSlice(GUARD + BLOCK, GUARD), PATTERN))
                    .as("bytes after the block; %s", script.log).isEqualTo(-1);
            assertThat(MigrationThreads.live()).as("migration threads left; %s", script.log).isEmpty();
            return destination.stats().status();
        }
    }

    /** The source's side: reads the input and acts, keeping count of what a consistent COMPLETE would say. */
    private static final class Script {
        final FakeSource source;
        final StringBuilder log = new StringBuilder("actions:");
        private final ByteBuffer input;
        private SocketChannel main;
        private int channels;
        private final SocketChannel[] multifd = new SocketChannel[4];
        private final long[] nextNumber = {1, 1, 1, 1};
        private final int[] syncs = new int[4];
        private final boolean[] rightId = new boolean[4];
        private long dataPackets;
        private int roundsEnded;
        private int completeRounds = -1;
        private long completePackets = -1;
        private boolean consistentWhenSent;

        Script(byte[] input, FakeSource source) {
            this.input = ByteBuffer.wrap(input);
            this.source = source;
        }

        private int next() {
            return input.hasRemaining() ? Byte.toUnsignedInt(input.get()) : 0;
        }

        void run() throws IOException {
            for (int i = 0; i < MAX_ACTIONS && input.hasRemaining(); i++) {
                try {
                    step(next());
                } catch (IOException gone) {
                    // Connecting or the blocking handshake writes failed (refused, reset): the destination ended
                    // or hung up on this source, and nothing more reaches it.
                    log.append(" (").append(gone.getMessage()).append(": the destination has hung up)");
                    return;
                }
            }
        }

        /**
         * One action: 0 HELLO (channels), 1 open a multifd channel (id, right uuid?), 2 data packet (channel,
         * pages, first page, valid number?), 3 SYNC (channel), 4 ROUND_END (right round?), 5 COMPLETE (consistent?
         * else rounds, packets), 6 raw bytes on main (count), 7 raw bytes on a channel (channel, count),
         * 8 reset a channel (channel), 9 HEARTBEAT.
         */
        void step(int opcode) throws IOException {
            switch (opcode % 10) {
                case 0 -> {
                    int count = 1 + next() % 3;
                    if (main == null) {
                        channels = count;
                        main = source.main(count, "ram0", BLOCK);
                        configure(main);
                    } else {
                        frame(1, new byte[36]);
                    }
                    log.append(" HELLO(").append(count).append(')');
                }
                case 1 -> {
                    int id = next() % 4;
                    boolean right = next() % 4 != 0;
                    if (multifd[id] == null) {
                        multifd[id] = source.multifd(right ? source.id : UUID.randomUUID(), id);
                        configure(multifd[id]);
                        rightId[id] = right;
                    }
                    log.append(" OPEN(").append(id).append(right ? "" : ", wrong uuid").append(')');
                }
                case 2 -> {
                    int id = next() % 4;
                    int pages = 1 + next() % PAGES;
                    int first = next() % PAGES;
                    boolean validNumber = next() % 8 != 0;
                    long number = validNumber ? nextNumber[id]++ : nextNumber[id] - 1;
                    long[] offsets = new long[pages];
                    for (int p = 0; p < pages; p++) {
                        offsets[p] = (first + p) * PAGE;
                    }
                    ByteBuffer payload = ByteBuffer.allocate((int) (pages * PAGE));
                    while (payload.hasRemaining()) {
                        payload.put((byte) (number + payload.position()));
                    }
                    boolean sent = send(id, FakeSource.dataHeader(pages, 0, number, offsets), payload.flip());
                    if (sent) {
                        dataPackets++;
                    }
                    log.append(" DATA(").append(id).append(", ").append(first).append('+').append(pages)
                            .append(", #").append(number).append(')');
                }
                case 3 -> {
                    int id = next() % 4;
                    if (send(id, FakeSource.sync(nextNumber[id]++))) {
                        syncs[id]++;
                    }
                    log.append(" SYNC(").append(id).append(')');
                }
                case 4 -> {
                    boolean right = next() % 4 != 0;
                    int round = right ? roundsEnded + 1 : next();
                    frame(4, ByteBuffer.allocate(4).putInt(round).array());
                    roundsEnded++;
                    log.append(" ROUND_END(").append(round).append(')');
                }
                case 5 -> {
                    boolean consistent = next() % 4 != 0;
                    int rounds = consistent ? syncs[0] : next();
                    long packets = consistent ? dataPackets : next();
                    frame(5, ByteBuffer.allocate(20).putInt(rounds).putInt(0).putLong(packets).putInt(0).array());
                    if (completeRounds == -1) {
                        // Only the first COMPLETE counts: a second one is a protocol error.
                        completeRounds = rounds;
                        completePackets = packets;
                        consistentWhenSent = consistentComplete();
                    }
                    awaitResult();
                    log.append(" COMPLETE(").append(rounds).append(", ").append(packets).append(')');
                }
                case 6 -> {
                    byte[] raw = raw();
                    if (main != null) {
                        write(main, ByteBuffer.wrap(raw));
                    }
                    log.append(" RAW-MAIN(").append(raw.length).append(')');
                }
                case 7 -> {
                    int id = next() % 4;
                    byte[] raw = raw();
                    send(id, ByteBuffer.wrap(raw));
                    log.append(" RAW(").append(id).append(", ").append(raw.length).append(')');
                }
                case 8 -> {
                    int id = next() % 4;
                    if (multifd[id] != null && multifd[id].isOpen()) {
                        FakeSource.reset(multifd[id]);
                    }
                    log.append(" RESET(").append(id).append(')');
                }
                default -> {
                    frame(3, new byte[0]);
                    log.append(" HEARTBEAT");
                }
            }
        }

        /**
         * Waits up to 1 s for RESULT on the main channel, skipping other frames: the destination's answer to
         * COMPLETE, before the script goes on (or closes everything). A consistent migration answers within
         * milliseconds; one still waiting for packets makes every replay of its script wait the whole second.
         */
        private void awaitResult() {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            ByteBuffer header = ByteBuffer.allocate(8);
            try {
                while (main != null && System.nanoTime() - deadline < 0) {
                    if (!fill(header, deadline)) {
                        return;
                    }
                    int type = header.flip().getShort();
                    header.getShort();
                    int length = header.getInt();
                    header.clear();
                    ByteBuffer body = ByteBuffer.allocate(Math.max(0, Math.min(length, 1 << 20)));
                    if (length < 0 || length > 1 << 20 || !fill(body, deadline)) {
                        return;
                    }
                    if (type == 6) {
                        // A RESULT that says yes is answered with COMMIT, as a source does: the destination owns
                        // the memory, and completes, only then.
                        if (body.capacity() >= 4 && body.getInt(0) == 0) {
                            frame(migration.protocol.FrameType.COMMIT.code(), new byte[0]);
                        }
                        return;
                    }
                }
            } catch (IOException e) {
                // The destination closed the main channel: it has answered in its way.
            }
        }

        private boolean fill(ByteBuffer buffer, long deadline) throws IOException {
            while (buffer.hasRemaining()) {
                int n = main.read(buffer);
                if (n < 0 || System.nanoTime() - deadline > 0) {
                    return false;
                }
                if (n == 0) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
            return true;
        }

        private byte[] raw() {
            byte[] raw = new byte[Math.min(next(), input.remaining())];
            input.get(raw);
            return raw;
        }

        /** {@return whether a main channel was opened with a HELLO: the migration started} */
        boolean started() {
            return main != null;
        }

        /**
         * {@return whether the first COMPLETE matched what was sent (packets, and rounds = SYNCs per channel),
         * either when it was sent or by the end of the script} Packets and SYNCs sent after COMPLETE may still
         * make it right: channels are not ordered against the main channel, so the destination waits for them.
         */
        boolean consistentFirstComplete() {
            return consistentWhenSent || consistentComplete();
        }

        private boolean consistentComplete() {
            if (completeRounds < 1 || completePackets != dataPackets || roundsEnded != completeRounds - 1) {
                return false;
            }
            for (int id = 0; id < channels; id++) {
                if (multifd[id] == null || !rightId[id] || syncs[id] != completeRounds) {
                    return false;
                }
            }
            return true;
        }

        private void frame(int type, byte[] body) {
            if (main != null) {
                write(main, ByteBuffer.allocate(8 + body.length).putShort((short) type).putShort((short) 0)
                        .putInt(body.length).put(body).flip());
            }
        }

        private boolean send(int id, ByteBuffer... buffers) {
            SocketChannel socket = multifd[id];
            if (socket == null || !socket.isOpen()) {
                return false;
            }
            boolean all = true;
            for (ByteBuffer buffer : buffers) {
                all &= write(socket, buffer);
            }
            return all;
        }

        private static void configure(SocketChannel socket) throws IOException {
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
            socket.configureBlocking(false);
        }

        /**
         * Writes without blocking for more than 2 s: a destination that stopped reading must not hang the
         * script. {@return whether every byte went out}
         */
        private static boolean write(SocketChannel socket, ByteBuffer buffer) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            try {
                while (buffer.hasRemaining()) {
                    if (socket.write(buffer) == 0) {
                        if (System.nanoTime() - deadline > 0) {
                            return false;
                        }
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    }
                }
                return true;
            } catch (IOException e) {
                // The destination rejected what came before and closed the connection.
                return false;
            }
        }
    }
}
