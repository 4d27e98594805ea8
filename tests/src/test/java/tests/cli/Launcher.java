package tests.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs programs as users do, as child processes with their standard output and error captured: the {@code multifd}
 * launcher of the built runtime image (system property {@code multifd.image}), or any other command.
 */
public final class Launcher {

    /** How long a child may run before the test fails and the child is killed. */
    static final Duration LIMIT = Duration.ofSeconds(60);

    private Launcher() {
    }

    /**
     * {@return the built image's directory} The build (tests/pom.xml) builds the image before these tests and names
     * it in system property {@code multifd.image}: when it is named, a missing image fails the test. Only a run
     * outside Maven, where nothing names it, skips.
     */
    public static Path image() {
        String property = System.getProperty("multifd.image");
        assumeTrue(property != null, "system property multifd.image is not set (run through Maven: mvn verify)");
        Path image = Path.of(property);
        assertThat(image.resolve("bin/multifd"))
                .as("the runtime image the build names in multifd.image (build it with: mvn -DskipTests package)")
                .isExecutable();
        return image;
    }

    /** {@return the command that starts the image's {@code multifd} launcher with the given arguments} */
    static List<String> multifd(String... args) {
        List<String> command = new ArrayList<>();
        command.add(image().resolve("bin/multifd").toString());
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Starts a child with an environment free of JVM options ({@code JDK_JAVA_OPTIONS}, {@code JAVA_TOOL_OPTIONS})
     * and of the launcher's {@code MULTIFD_JIT_OPTIONS}, unless {@code environment} sets them.
     */
    static Child start(List<String> command, Map<String, String> environment) {
        return start(command, environment, null);
    }

    /** Starts a child as {@link #start(List, Map)} does, in {@code directory} ({@code null}: this one). */
    static Child start(List<String> command, Map<String, String> environment, Path directory) {
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("MULTIFD_JIT_OPTIONS");
        builder.environment().putAll(environment);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        try {
            return new Child(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** {@return the result of {@code multifd <args>} run to its end} */
    static Result run(String... args) {
        return start(multifd(args), Map.of()).result();
    }

    /**
     * What a finished child did.
     *
     * @param exitCode its exit code
     * @param out      its standard output
     * @param err      its standard error
     */
    record Result(int exitCode, String out, String err) {

        /** {@return the lines on standard error} */
        List<String> errLines() {
            return err.lines().toList();
        }

        /** {@return everything, for assertion messages} */
        String describe() {
            return "exit code " + exitCode + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
        }
    }

    /** A running child whose standard output and error are read as they come. */
    static final class Child implements AutoCloseable {
        private final Process process;
        private final Capture out;
        private final Capture err;

        Child(Process process) {
            this.process = process;
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            this.out = new Capture(process.getInputStream());
            this.err = new Capture(process.getErrorStream());
        }

        /**
         * Waits for a line on standard error that starts with {@code prefix}.
         *
         * @return the line
         */
        String awaitErrLine(String prefix) throws InterruptedException {
            return err.awaitLine(prefix);
        }

        /** {@return the result, once the child has exited} Fails the test if it runs longer than {@link #LIMIT}. */
        Result result() {
            try {
                boolean exited = process.waitFor(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
                if (!exited) {
                    process.destroyForcibly();
                }
                out.join();
                err.join();
                Result result = new Result(exited ? process.exitValue() : -1, out.text(), err.text());
                assertThat(exited).as("the child exited within %s; %s", LIMIT, result.describe()).isTrue();
                return result;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for the child", e);
            }
        }

        /** {@return the process the launcher started, to signal it or look at it} */
        Process process() {
            return process;
        }

        /**
         * Sends a signal with kill(1): {@link Process#destroy()} would also close our ends of the child's output.
         *
         * @param name the signal's name, such as {@code TERM}
         */
        void signal(String name) throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -%s", name).isTrue();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /** Reads a stream on a thread of its own, keeping everything, and lets a test wait for a line. */
    private static final class Capture {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Thread reader;
        private boolean ended;

        Capture(InputStream in) {
            reader = Thread.ofPlatform().daemon().name("child-output").start(() -> {
                byte[] buffer = new byte[8192];
                try (in) {
                    for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                        synchronized (this) {
                            bytes.write(buffer, 0, n);
                            notifyAll();
                        }
                    }
                } catch (IOException e) {
                    // The child is gone; what it wrote is kept.
                } finally {
                    synchronized (this) {
                        ended = true;
                        notifyAll();
                    }
                }
            });
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        synchronized String awaitLine(String prefix) throws InterruptedException {
            long deadline = System.nanoTime() + LIMIT.toNanos();
            while (true) {
                String text = text();
                int end = text.lastIndexOf('\n');
                if (end >= 0) {
                    for (String line : text.substring(0, end).split("\n", -1)) {
                        if (line.startsWith(prefix)) {
                            return line;
                        }
                    }
                }
                long left = deadline - System.nanoTime();
                assertThat(!ended && left > 0).as("a line starting with '%s' before the stream ended or %s passed;"
                        + " so far:%n%s", prefix, LIMIT, text).isTrue();
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        void join() throws InterruptedException {
            reader.join(LIMIT.toMillis());
        }
    }
}
