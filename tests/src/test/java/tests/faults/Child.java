package tests.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A child process whose standard output and error go to files, so that nothing needs a reader thread and
 * whatever it printed is still there after it was killed.
 */
final class Child implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Path out;
    private final Path err;

    private Child(String name, Process process, Path out, Path err) {
        this.name = name;
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /**
     * Starts {@code command}, writing its output to {@code dir/name.out} and {@code dir/name.err}.
     *
     * @param environment added to this JVM's environment, from which {@code JDK_JAVA_OPTIONS} and
     *                    {@code JAVA_TOOL_OPTIONS} are removed
     */
    static Child start(String name, List<String> command, Path dir, Map<String, String> environment) {
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().putAll(environment);
        try {
            return new Child(name, builder.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /**
     * Waits for a line starting with {@code prefix} on standard output or error, looking every 20 ms.
     *
     * @return the line, without the prefix
     */
    String awaitLine(String prefix, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            Optional<String> line = lines().stream().filter(l -> l.startsWith(prefix)).findFirst();
            if (line.isPresent()) {
                return line.get().substring(prefix.length());
            }
            assertThat(process.isAlive() && System.nanoTime() - deadline < 0)
                    .as("%s printed a line starting with '%s' within %s; %s", name, prefix, limit, describe())
                    .isTrue();
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    /**
     * Waits for the child to exit; fails the test (and kills it) if it takes longer than {@code limit}.
     *
     * @return its exit code
     */
    int awaitExit(Duration limit) throws InterruptedException {
        boolean exited = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        if (!exited) {
            process.destroyForcibly().waitFor();
        }
        assertThat(exited).as("%s exited within %s; %s", name, limit, describe()).isTrue();
        return process.exitValue();
    }

    /** {@return what it printed on standard output} */
    String out() {
        return read(out);
    }

    /** {@return what it printed on standard error} */
    String err() {
        return read(err);
    }

    private List<String> lines() {
        return (out() + "\n" + err()).lines().toList();
    }

    /** {@return its name, state and output, for assertion messages} */
    String describe() {
        return name + (process.isAlive() ? " (running)" : " (exit code " + process.exitValue() + ")")
                + "\n--- stdout:\n" + out() + "--- stderr:\n" + err();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor();
        }
    }
}
