package migration.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A child process running one {@link BenchWorker}: the same runtime as this one, started with this module's main
 * class ({@code -m migration.bench/migration.bench.BenchTool --worker …}). Its standard error goes to ours; its
 * standard output is read line by line.
 */
final class WorkerProcess implements AutoCloseable {

    private final Process process;
    private final LineQueue lines;
    private final String what;

    private WorkerProcess(Process process, String what) {
        this.process = process;
        this.what = what;
        lines = LineQueue.reading(process.getInputStream(), "bench-worker-output");
    }

    /**
     * Wraps a started process that speaks the workers' protocol on its standard output (for tests).
     *
     * @param process the process
     * @param what    what it is, for messages
     * @return the wrapper
     */
    static WorkerProcess of(Process process, String what) {
        return new WorkerProcess(process, what);
    }

    /**
     * Starts a worker.
     *
     * @param spec what it does
     * @return the running process
     * @throws IOException if it cannot be started
     */
    static WorkerProcess start(WorkerSpec spec) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(spec));
        builder.redirectError(ProcessBuilder.Redirect.INHERIT);
        return new WorkerProcess(builder.start(), spec.role().label() + " of " + spec.configuration().describe());
    }

    /** {@return the command line that runs {@code spec} in a child of this runtime} */
    static List<String> command(WorkerSpec spec) {
        return bench("--worker", spec.toArgument());
    }

    /** {@return the command line that runs this module's main class with {@code args} in a child of this runtime} */
    static List<String> bench(String... args) {
        List<String> command = new ArrayList<>(java());
        command.add("-m");
        command.add(BenchTool.class.getModule().getName() + "/" + BenchTool.class.getName());
        command.addAll(List.of(args));
        return command;
    }

    /** {@return this runtime's java, with the module path and native access it was started with, if any} */
    static List<String> java() {
        List<String> command = new ArrayList<>();
        // Linux reports "/path/java (deleted)" once the launcher was replaced on disk (a rebuild): use the path.
        command.add(ProcessHandle.current().info().command().map(c -> c.replaceFirst(" \\(deleted\\)$", ""))
                .orElse(System.getProperty("java.home") + "/bin/java"));
        String modulePath = System.getProperty("jdk.module.path");
        if (modulePath != null && !modulePath.isEmpty()) {
            // Run from a build (Maven, an IDE): the image's launcher options are not baked in.
            command.add("--module-path");
            command.add(modulePath);
            if (ModuleLayer.boot().findModule("io.channel.linux").isPresent()) {
                command.add("--enable-native-access=io.channel.linux");
            }
        }
        return command;
    }

    /**
     * Waits for the next protocol line with the given prefix, skipping other output.
     *
     * @param prefix  the line's first word, such as {@code READY} or {@code RESULT}
     * @param seconds how long to wait at most
     * @return the line
     * @throws IOException if the worker failed, ended or took too long; the message says which
     */
    String await(String prefix, long seconds) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String line = lines.next(deadline);
            if (line == null) {
                throw new IOException("the " + what + " did not answer " + prefix + " within " + seconds + " s");
            }
            if (line.equals(LineQueue.END)) {
                throw new IOException("the " + what + " ended (exit status " + exitStatus() + ") before " + prefix);
            }
            if (line.startsWith(BenchWorker.ERROR + " ")) {
                throw new IOException(line.substring(BenchWorker.ERROR.length() + 1));
            }
            if (line.startsWith(prefix + " ") || line.equals(prefix)) {
                return line;
            }
        }
    }

    /**
     * Waits briefly for an {@code ERROR} line, skipping other output: what the worker said when it failed.
     *
     * @param seconds how long to wait at most
     * @return the error's text, or empty if the worker printed none in that time (or ended without one)
     */
    Optional<String> error(long seconds) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        try {
            while (true) {
                String line = lines.next(deadline);
                if (line == null || line.equals(LineQueue.END)) {
                    return Optional.empty();
                }
                if (line.startsWith(BenchWorker.ERROR + " ")) {
                    return Optional.of(line.substring(BenchWorker.ERROR.length() + 1));
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Sends the worker one line of the protocol ({@link BenchWorker}).
     *
     * @param line the line, without its end
     * @throws IOException if the worker is gone
     */
    void tell(String line) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    private String exitStatus() {
        try {
            return process.waitFor(5, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /** Waits briefly for the worker to exit, and kills it if it does not. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // Already gone.
        }
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
