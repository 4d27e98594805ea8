package tests.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import testkit.Tier;
import tests.cli.Launcher;

/**
 * {@code multifd send} and {@code multifd receive} (the runtime image's launcher) in two network namespaces
 * joined by a veth pair, with real faults on the path: random packet loss and a blackhole ({@code nft}), a
 * rate limit ({@code tc tbf}), and delay or a cut connection ({@link TcpProxy}). Skipped, with the reason,
 * where they cannot run: not root, no {@code ip}/{@code nft}/{@code tc}, or no runtime image.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@Tier.NetworkFaults
class NetworkFaultsTest {

    private static final String LISTENING = "listening on ";
    private static final String COMPLETED = "completed, digests verified by the destination";
    /** Longest a side may run in a test meant to complete; the slowest (5% loss) takes a few seconds. */
    private static final Duration RUN_LIMIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private NetworkPair pair;
    private final List<Child> children = new ArrayList<>();

    @BeforeEach
    void makeNamespaces() {
        Launcher.image();
        pair = NetworkPair.create();
    }

    @AfterEach
    void removeNamespaces() throws InterruptedException {
        for (Child child : children) {
            child.close();
        }
        if (pair != null) {
            pair.close();
        }
    }

    @ParameterizedTest(name = "{0}% of packets lost")
    @ValueSource(ints = {1, 5})
    void aMigrationUnderRandomPacketLossCompletesAndVerifies(int percent) throws Exception {
        pair.dropRandomly(percent);
        Path source = randomFile(32 << 20);

        Migration migration = startMigration(source, null, null);

        migration.assertCompletedAndIdentical(source);
    }

    @Test
    void aMigrationThroughARateLimitCompletesAndVerifiesAtThatRate() throws Exception {
        int megabits = 100;
        pair.limitSourceRate(megabits);
        Path source = randomFile(16 << 20);

        long start = System.nanoTime();
        startMigration(source, null, null).assertCompletedAndIdentical(source);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(pair.sourceQdiscSentBytes()).as("bytes through the rate-limited qdisc")
                .isGreaterThan(16L << 20);
        // A token bucket cannot let 16 MiB through faster than its rate (the 4 KiB burst is negligible).
        assertThat(took).isGreaterThan(Duration.ofMillis((16L << 20) * 8 * 1000 / (megabits * 1_000_000L) * 9 / 10));
    }

    @Test
    void aMigrationWithASecondOfDelayEachWayCompletesAndVerifies() throws Exception {
        Path source = randomFile(16 << 20);

        long start = System.nanoTime();
        startMigration(source, new Proxy(1000, -1), null).assertCompletedAndIdentical(source);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        // HELLO and ACCEPT alone cross the proxy once each way.
        assertThat(took).isGreaterThan(Duration.ofSeconds(2));
    }

    @Test
    void aBlackholeLongerThanTheLivenessTimeoutFailsBothSidesNamingThePeerAndLeavesNothingRunning()
            throws Exception {
        Path source = randomFile(32 << 20);
        // 2 MiB/s: the transfer would take 16 s, so the blackhole falls in the middle of it.
        Migration migration = startMigration(source, null, "2m");
        awaitDestinationReceived(2 << 20);

        pair.blackhole();
        int sent = migration.sender().awaitExit(RUN_LIMIT);
        int received = migration.receiver().awaitExit(RUN_LIMIT);

        assertThat(received).as(migration.receiver().describe()).isEqualTo(1);
        assertThat(migration.receiver().err()).as(migration.receiver().describe())
                .contains("no sign of life from the source");
        assertThat(sent).as(migration.sender().describe()).isEqualTo(1);
        assertThat(migration.sender().err()).as(migration.sender().describe())
                .contains("no sign of life from the destination");
        assertThat(pair.processesLeft()).as("processes left in the namespaces").isEmpty();
    }

    @Test
    void aConnectionResetMidTransferFailsBothSidesNamingThePeerAndLeavesNothingRunning() throws Exception {
        Path source = randomFile(32 << 20);
        Migration migration = startMigration(source, new Proxy(0, 8 << 20), null);
        int sent = migration.sender().awaitExit(RUN_LIMIT);
        int received = migration.receiver().awaitExit(RUN_LIMIT);

        Child relay = children.get(1);
        assertThat(relay.out()).as(relay.describe()).contains("cut after");
        // The relay resets its sockets one by one: one side may see its reset first, fail and close its main
        // channel, and the relay pass that on to the other side as an end of stream before it resets that side's
        // socket. Either way each side fails naming its peer.
        assertThat(received).as(migration.receiver().describe()).isEqualTo(1);
        assertThat(migration.receiver().err()).as(migration.receiver().describe()).contains("multifd receive: ")
                .containsAnyOf("the connection to the source failed",
                        "the source closed the main channel before the migration ended");
        assertThat(sent).as(migration.sender().describe()).isEqualTo(1);
        assertThat(migration.sender().err()).as(migration.sender().describe()).contains("multifd send: ")
                .containsAnyOf("the connection to the destination failed",
                        "the destination closed the main channel before the migration ended");
        relay.close();
        assertThat(pair.processesLeft()).as("processes left in the namespaces").isEmpty();
    }

    /** A sender in the source's namespace and a receiver (into {@code target.bin}) in the destination's. */
    private record Migration(Child receiver, Child sender, Path target) {

        void assertCompletedAndIdentical(Path source) throws InterruptedException, IOException {
            int sent = sender.awaitExit(RUN_LIMIT);
            int received = receiver.awaitExit(RUN_LIMIT);
            assertThat(sent).as(sender.describe()).isZero();
            assertThat(received).as(receiver.describe()).isZero();
            assertThat(sender.out()).as(sender.describe()).contains(COMPLETED);
            assertThat(Files.mismatch(source, target)).isEqualTo(-1);
        }
    }

    /** How a {@link TcpProxy} between the two sides misbehaves. */
    private record Proxy(long delayMillis, long cutAfterBytes) {
    }

    /**
     * Starts a receiver in the destination's namespace and, once it listens, a sender in the source's; with a
     * {@code proxy}, the sender connects through a {@link TcpProxy} started in its own namespace.
     */
    private Migration startMigration(Path source, Proxy proxy, String maxBandwidth)
            throws InterruptedException, URISyntaxException {
        Path target = dir.resolve("target.bin");
        Child receiver = start("receive", pair.destination(), List.of(multifd(), "receive", "--listen",
                NetworkPair.DESTINATION_ADDRESS + ":0", "--into", target.toString()));
        String to = receiver.awaitLine(LISTENING, RUN_LIMIT);
        if (proxy != null) {
            String port = to.substring(to.lastIndexOf(':') + 1);
            String java = Launcher.image().resolve("bin/java").toString();
            Child relay = start("proxy", pair.source(), List.of(java, "-cp", testClasses().toString(),
                    TcpProxy.class.getName(), "127.0.0.1", NetworkPair.DESTINATION_ADDRESS, port,
                    Long.toString(proxy.delayMillis()), Long.toString(proxy.cutAfterBytes())));
            to = "127.0.0.1:" + relay.awaitLine("listening=", RUN_LIMIT);
        }
        List<String> send = new ArrayList<>(List.of(multifd(), "send", "--to", to, "--from", source.toString(),
                "--channels", "2"));
        if (maxBandwidth != null) {
            send.addAll(List.of("--max-bandwidth", maxBandwidth));
        }
        return new Migration(receiver, start("send", pair.source(), send), target);
    }

    private void awaitDestinationReceived(long bytes) throws InterruptedException {
        long deadline = System.nanoTime() + RUN_LIMIT.toNanos();
        while (pair.destinationReceivedBytes() < bytes) {
            assertThat(System.nanoTime() - deadline).as("the destination received %d bytes within %s", bytes,
                    RUN_LIMIT).isNegative();
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private Child start(String name, String namespace, List<String> command) {
        Child child = Child.start(name, NetworkPair.inside(namespace, command), dir, Map.of());
        children.add(child);
        return child;
    }

    private Path randomFile(int size) throws IOException {
        byte[] bytes = new byte[size];
        new SplittableRandom(size).nextBytes(bytes);
        return Files.write(dir.resolve("source.bin"), bytes);
    }

    private static String multifd() {
        return Launcher.image().resolve("bin/multifd").toString();
    }

    /** {@return the directory this test's classes were loaded from, for a child JVM that runs {@link TcpProxy}} */
    private static Path testClasses() throws URISyntaxException {
        return Path.of(TcpProxy.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }
}
