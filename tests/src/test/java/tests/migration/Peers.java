package tests.migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** Starts {@link tests.MigrationPeer} in a child JVM on this JVM's module path, and reads what it prints. */
final class Peers {

    private Peers() {
    }

    /** A running child and the key=value lines it printed so far. */
    static final class Peer implements AutoCloseable {
        final Process process;
        final Map<String, String> values = new ConcurrentHashMap<>();
        final StringBuilder output = new StringBuilder();
        private final Thread reader;
        private boolean ended;

        Peer(Process process) {
            this.process = process;
            this.reader = Thread.ofPlatform().name("peer-reader").daemon().start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        int eq = line.indexOf('=');
                        synchronized (output) {
                            output.append(line).append('\n');
                            if (eq > 0) {
                                values.put(line.substring(0, eq), line.substring(eq + 1));
                            }
                            output.notifyAll();
                        }
                    }
                } catch (IOException ignored) {
                    // the child is gone; what it printed is kept
                } finally {
                    synchronized (output) {
                        ended = true;
                        output.notifyAll();
                    }
                }
            });
        }

        /** Waits (bounded) until the child printed {@code key}, or exited without it. */
        String await(String key, long seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            synchronized (output) {
                while (!values.containsKey(key) && !ended) {
                    long left = deadline - System.nanoTime();
                    assertThat(left).as("child printed %s within %d s; output so far:%n%s", key, seconds, output)
                            .isPositive();
                    TimeUnit.NANOSECONDS.timedWait(output, left);
                }
            }
            assertThat(values).as("child printed %s; output:%n%s", key, output()).containsKey(key);
            return values.get(key);
        }

        /** Waits for the child to exit and for its output to be read; returns the exit code. */
        int exit(long seconds) throws InterruptedException {
            assertThat(process.waitFor(seconds, TimeUnit.SECONDS)).as("child exited within %d s; output:%n%s",
                    seconds, output()).isTrue();
            reader.join(TimeUnit.SECONDS.toMillis(seconds));
            return process.exitValue();
        }

        String output() {
            synchronized (output) {
                return output.toString();
            }
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /** The module path of this JVM, without the entries whose file name contains one of {@code excluded}. */
    static String modulePath(String... excluded) {
        return Arrays.stream(System.getProperty("jdk.module.path").split(java.io.File.pathSeparator))
                .filter(entry -> Arrays.stream(excluded).noneMatch(x -> Path.of(entry).getFileName().toString()
                        .contains(x)))
                .collect(Collectors.joining(java.io.File.pathSeparator));
    }

    /** Starts {@code tests.MigrationPeer} with the given module path and arguments. */
    static Peer start(String modulePath, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("--module-path");
        command.add(modulePath);
        if (modulePath.contains("io.channel.linux")) {
            command.add("--enable-native-access=io.channel.linux");
        }
        command.add("-m");
        command.add("tests/tests.MigrationPeer");
        command.addAll(List.of(args));
        return new Peer(new ProcessBuilder(command).redirectErrorStream(true).start());
    }
}
