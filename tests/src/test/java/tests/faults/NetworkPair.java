package tests.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Two network namespaces made for one test, {@code src} and {@code dst}, joined by a veth pair
 * ({@code 10.213.0.1/30} in {@code src}, {@code 10.213.0.2/30} in {@code dst}), each with its own loopback.
 * No interface of the machine's own namespace takes part, so traffic never leaves the pair.
 *
 * <p>Faults: {@code nft} rules in an {@code input} chain of each namespace drop a random share of packets or
 * all of them (both directions, so ACKs are lost too); a {@code tc tbf} qdisc on the source's veth limits
 * the rate. This kernel has no {@code netem} qdisc, so delay comes from {@link TcpProxy} instead.
 *
 * <p>{@link #close()} kills what still runs in the namespaces (only processes the test started there) and
 * deletes them, which also deletes the veth pair; it runs even when the test failed.
 */
final class NetworkPair implements AutoCloseable {

    /** The source's address, in namespace {@code src}. */
    static final String SOURCE_ADDRESS = "10.213.0.1";
    /** The destination's address, in namespace {@code dst}. */
    static final String DESTINATION_ADDRESS = "10.213.0.2";
    /** The nft table each namespace gets; its input chain is {@code faults}. */
    private static final String TABLE = "multifd_faults";

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final String source;
    private final String destination;

    private NetworkPair(String source, String destination) {
        this.source = source;
        this.destination = destination;
    }

    /**
     * Skips the test, saying why, where namespaces and faults cannot be made: not root, no {@code ip},
     * {@code nft} or {@code tc}, or the kernel refused a namespace.
     */
    static void assumeAvailable() {
        assumeTrue(rootUid(), "network fault tests need root (they create network namespaces); this user is not");
        for (String tool : List.of("ip", "nft", "tc")) {
            assumeTrue(onPath(tool), "network fault tests need '" + tool + "' on PATH (Debian packages iproute2"
                    + " and nftables)");
        }
    }

    /** {@return a new pair, up and addressed} Skips the test if the kernel refuses a namespace. */
    static NetworkPair create() {
        assumeAvailable();
        String base = "multifd-" + ProcessHandle.current().pid() + "-" + COUNTER.incrementAndGet();
        NetworkPair pair = new NetworkPair(base + "-src", base + "-dst");
        Command probe = Command.run(List.of("ip", "netns", "add", pair.source));
        assumeTrue(probe.exitCode() == 0, "the kernel refused a network namespace: " + probe.output());
        try {
            Command.check("ip", "netns", "add", pair.destination);
            Command.check("ip", "link", "add", "veth-src", "netns", pair.source, "type", "veth", "peer", "name",
                    "veth-dst", "netns", pair.destination);
            pair.up(pair.source, "veth-src", SOURCE_ADDRESS);
            pair.up(pair.destination, "veth-dst", DESTINATION_ADDRESS);
            for (String namespace : List.of(pair.source, pair.destination)) {
                pair.nft(namespace, "add table inet " + TABLE);
                pair.nft(namespace, "add chain inet " + TABLE + " faults { type filter hook input priority 0;"
                        + " policy accept; }");
            }
            return pair;
        } catch (RuntimeException | Error e) {
            pair.close();
            throw e;
        }
    }

    private void up(String namespace, String device, String address) {
        Command.check("ip", "-n", namespace, "addr", "add", address + "/30", "dev", device);
        Command.check("ip", "-n", namespace, "link", "set", device, "up");
        Command.check("ip", "-n", namespace, "link", "set", "lo", "up");
    }

    private void nft(String namespace, String rule) {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace, "nft"));
        command.addAll(List.of(rule.split(" ")));
        Command.check(command.toArray(String[]::new));
    }

    /** {@return the source's namespace} */
    String source() {
        return source;
    }

    /** {@return the destination's namespace} */
    String destination() {
        return destination;
    }

    /** {@return {@code command} as it runs inside {@code namespace}} */
    static List<String> inside(String namespace, List<String> command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        full.addAll(command);
        return full;
    }

    /**
     * Drops about {@code percent} in a hundred packets arriving in either namespace, at random.
     *
     * @param percent 1 to 100
     */
    void dropRandomly(int percent) {
        dropOnVeth("numgen random mod 100 < " + percent + " ");
    }

    /** Drops every packet arriving in either namespace until {@link #clearDrops()}. */
    void blackhole() {
        dropOnVeth("");
    }

    /** Adds a rule to each namespace that drops packets from its veth which match {@code match}. */
    private void dropOnVeth(String match) {
        nft(source, "add rule inet " + TABLE + " faults iifname veth-src " + match + "drop");
        nft(destination, "add rule inet " + TABLE + " faults iifname veth-dst " + match + "drop");
    }

    /** Removes every drop rule. */
    void clearDrops() {
        for (String namespace : List.of(source, destination)) {
            nft(namespace, "flush chain inet " + TABLE + " faults");
        }
    }

    /**
     * Limits what the source's veth sends to {@code megabits} per second, with a token bucket.
     *
     * @param megabits the rate
     */
    void limitSourceRate(int megabits) {
        Command.check("ip", "netns", "exec", source, "tc", "qdisc", "add", "dev", "veth-src", "root", "tbf",
                "rate", megabits + "mbit", "burst", "32kbit", "latency", "400ms");
    }

    /** {@return the bytes the source's veth qdisc has sent, from {@code tc -s qdisc}} */
    long sourceQdiscSentBytes() {
        String stats = Command.check("ip", "netns", "exec", source, "tc", "-s", "qdisc", "show", "dev", "veth-src");
        int at = stats.indexOf("Sent ");
        assertThat(at).as("tc -s qdisc output has a 'Sent' figure: %s", stats).isNotNegative();
        return Long.parseLong(stats.substring(at + 5).split(" ")[0]);
    }

    /** {@return the bytes the destination's veth has received} */
    long destinationReceivedBytes() {
        return Long.parseLong(Command.check("ip", "netns", "exec", destination, "cat",
                "/sys/class/net/veth-dst/statistics/rx_bytes").strip());
    }

    /** {@return the ids of the processes still running in either namespace} */
    List<Long> processesLeft() {
        List<Long> pids = new ArrayList<>();
        for (String namespace : List.of(source, destination)) {
            Command listed = Command.run(List.of("ip", "netns", "pids", namespace));
            listed.output().lines().filter(line -> !line.isBlank()).map(String::strip).map(Long::parseLong)
                    .forEach(pids::add);
        }
        return pids;
    }

    /** Kills what the test left in the namespaces, by process id, and deletes both (and with them the veths). */
    @Override
    public void close() {
        for (long pid : processesLeft()) {
            ProcessHandle.of(pid).ifPresent(process -> {
                process.destroyForcibly();
                process.onExit().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> process).join();
            });
        }
        for (String namespace : List.of(source, destination)) {
            Command.run(List.of("ip", "netns", "del", namespace));
        }
    }

    private static boolean rootUid() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(line -> line.startsWith("Uid:"))
                    .anyMatch(line -> line.split("\\s+")[1].equals("0"));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        for (String dir : List.of("/usr/sbin", "/sbin")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /**
     * A short command run to its end, its output and error merged.
     *
     * @param exitCode its exit code
     * @param output   what it printed
     */
    record Command(int exitCode, String output) {

        static Command run(List<String> command) {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin");
            try {
                Process process = builder.start();
                process.getOutputStream().close();
                String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("%s ended", command).isTrue();
                return new Command(process.exitValue(), output);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run " + command, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while running " + command, e);
            }
        }

        /** {@return the output of a command that must succeed} */
        static String check(String... command) {
            Command result = run(List.of(command));
            assertThat(result.exitCode()).as("%s succeeded; it printed: %s", String.join(" ", command),
                    result.output()).isZero();
            return result.output();
        }
    }
}
