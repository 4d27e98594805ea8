package tests.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.channel.memory.HandoverMemory;
import io.channel.memory.PageMemory;
import io.channel.spi.ChannelProvider;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import migration.MigrationDestination;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationSource;
import migration.Ownership;
import migration.RamBlock;
import migration.RamBlockProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tests.LinuxProvider;
import tests.Memories;

/**
 * A source whose handover channel lies, played by a {@link HandoverRelay} between a real source and a real
 * destination: a message without its descriptor, with more than one, or never sent. Both sides fail saying why,
 * the destination maps nothing and does not own the memory, the source keeps its memory writable, and no
 * descriptor stays open in this process (the source's, the relay's and the destination's are all in it).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HandoverHostileSourceTest {

    private static final long SIZE = 1L << 20;
    private static final MigrationParameters PARAMS = MigrationParameters.defaults().withChannels(1);

    @TempDir
    Path directory;

    private ChannelProvider linux;

    @BeforeEach
    void warmUp() throws Exception {
        linux = LinuxProvider.required();
        // One handover through the relay first, so that what the JVM opens once (classes, native libraries) is open
        // before counting descriptors.
        migrateThroughRelay(HandoverRelay.Forwarding.FAITHFUL, PARAMS, "warm-up");
    }

    private static long openDescriptors() throws IOException {
        try (var list = Files.list(Path.of("/proc/self/fd"))) {
            return list.count();
        }
    }

    /** What each side of a migration through the relay ended with: {@code null} where it completed. */
    private record Outcome(MigrationException atSource, MigrationException atDestination, int relayedMessages) {
    }

    /**
     * Migrates one handed-over block through a relay that forwards its handover message as {@code forwarding}
     * says; when either side fails, checks that the destination mapped nothing and does not own the memory and
     * that the source's memory stays writable.
     */
    private Outcome migrateThroughRelay(HandoverRelay.Forwarding forwarding, MigrationParameters params, String name)
            throws Exception {
        try (Arena arena = Arena.ofShared()) {
            HandoverMemory memory = PageMemory.allocateForHandover("state", SIZE, false, arena);
            RamBlock block = RamBlock.of("state", memory);
            Memories.fill(block.memory(), 9);
            Outcome outcome;
            try (MigrationDestination destination = MigrationDestination.listen(
                    UnixDomainSocketAddress.of(directory.resolve(name + "-destination.sock")),
                    RamBlockProvider.anonymous(arena), params);
                 HandoverRelay relay = HandoverRelay.start(linux, directory.resolve(name + "-relay.sock"),
                         destination.localSocketAddress(), forwarding);
                 MigrationSource source = MigrationSource.start(relay.address(), List.of(block), params)) {
                outcome = new Outcome(catchThrowableOfType(MigrationException.class, source::await),
                        catchThrowableOfType(MigrationException.class, destination::await), relay.handoverMessages());
                if (outcome.atSource() == null && outcome.atDestination() == null) {
                    assertThat(destination.blocks().getFirst().memory().mismatch(block.memory())).isEqualTo(-1);
                    return outcome;
                }
                assertThat(destination.stats().ownership()).isEqualTo(Ownership.SOURCE);
                assertThat(destination.blocks().getFirst().size()).as("nothing mapped").isZero();
            }
            assertThat(source(outcome).stats().ownership()).isEqualTo(Ownership.SOURCE);
            block.memory().set(ValueLayout.JAVA_BYTE, 0, (byte) 1);
            assertThat(HandoverMigrationTest.permissions(memory.memory().address())).startsWith("rw");
            return outcome;
        }
    }

    private static MigrationException source(Outcome outcome) {
        assertThat(outcome.atSource()).as("the source's failure").isNotNull();
        return outcome.atSource();
    }

    private static MigrationException destination(Outcome outcome) {
        assertThat(outcome.atDestination()).as("the destination's failure").isNotNull();
        return outcome.atDestination();
    }

    /** Like {@link #migrateThroughRelay}, and checks that no descriptor is left open afterwards. */
    private Outcome refused(HandoverRelay.Forwarding forwarding, MigrationParameters params) throws Exception {
        long before = openDescriptors();
        Outcome outcome = migrateThroughRelay(forwarding, params, "hostile");
        assertThat(openDescriptors()).as("descriptors open after the migration").isEqualTo(before);
        assertThat(outcome.relayedMessages()).as("handover messages the relay read").isEqualTo(1);
        return outcome;
    }

    @Test
    void aRelayThatForwardsFaithfullyLetsTheHandoverComplete() throws Exception {
        long before = openDescriptors();

        Outcome outcome = migrateThroughRelay(HandoverRelay.Forwarding.FAITHFUL, PARAMS, "faithful");

        assertThat(outcome.atSource()).isNull();
        assertThat(outcome.atDestination()).isNull();
        assertThat(outcome.relayedMessages()).isEqualTo(1);
        assertThat(openDescriptors()).isEqualTo(before);
    }

    @Test
    void aHandoverMessageWithoutItsDescriptorFailsBothSides() throws Exception {
        Outcome outcome = refused((message, descriptor, destination) -> destination.writeAll(message), PARAMS);

        String expected = "handover channel, ram block 'state': 0 descriptors came with the message, expected 1";
        assertThat(destination(outcome)).hasMessage(expected);
        assertThat(source(outcome)).hasMessageContaining("the destination failed: \"" + expected);
    }

    /**
     * One descriptor more still fits the control buffer the destination reads with (CMSG_SPACE(4) holds two ints on
     * x86_64), and the channel refuses it by count; two more do not fit, and the kernel cuts them (MSG_CTRUNC). A
     * breach of the protocol either way: the destination says so, naming the handover channel.
     */
    @ParameterizedTest(name = "{0} descriptors more")
    @ValueSource(ints = {1, 2})
    void aHandoverMessageWithMoreThanOneDescriptorFailsBothSidesWithEveryOneClosed(int more) throws Exception {
        try (Arena arena = Arena.ofShared()) {
            int[] decoys = IntStream.range(0, more).map(i -> decoy(arena)).toArray();
            Outcome outcome = refused((message, descriptor, destination) -> destination.writeWithDescriptors(message,
                    IntStream.concat(IntStream.of(descriptor), IntStream.of(decoys)).toArray()), PARAMS);

            String expected = "handover channel: more descriptors arrived than the 1 expected (";
            assertThat(destination(outcome)).hasMessageStartingWith(expected)
                    .hasMessageContaining(more == 1 ? "2 arrived" : "the control message was cut, MSG_CTRUNC")
                    .hasMessageEndingWith("every one is closed");
            assertThat(source(outcome)).hasMessageContaining("the destination failed: \"" + expected);
        }
    }

    private static int decoy(Arena arena) {
        try {
            return PageMemory.allocateForHandover("decoy", 4096, false, arena).descriptor();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aHandoverMessageHeldBackFailsTheDestinationAfterTheProgressTimeout() throws Exception {
        MigrationParameters params = PARAMS.withProgressTimeout(Duration.ofSeconds(2));

        Outcome outcome = refused((message, descriptor, destination) -> { }, params);

        String expected = "handover channel: the source sent COMPLETE, but ram block 'state''s descriptor did not"
                + " arrive within 2 s";
        assertThat(destination(outcome)).as("the timeout, not the I/O error of the shut-down read")
                .hasMessage(expected);
        assertThat(source(outcome)).hasMessageContaining("the destination failed: \"" + expected);
    }
}
