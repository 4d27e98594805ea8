package migration.cli.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One {@code multifd} command run as a user runs it, in a fresh process, under the shell that reports its
 * usage ({@link ProcessUsage}). Both its outputs are read as they come: standard output kept whole, standard
 * error line by line (to find {@code listening on HOST:PORT}, and to say why it failed).
 */
final class ToolProcess implements AutoCloseable {

    private static final String END = "\u0000end";

    private final Process process;
    private final String what;
    private final List<String> out = Collections.synchronizedList(new ArrayList<>());
    private final List<String> err = Collections.synchronizedList(new ArrayList<>());
    private final LinkedBlockingQueue<String> errLines = new LinkedBlockingQueue<>();
    private final Thread outPump;
    private final Thread errPump;

    private ToolProcess(Process process, String what) {
        this.process = process;
        this.what = what;
        outPump = Thread.ofPlatform().daemon(true).name("bench-tool-out").start(() -> pump(process.getInputStream(),
                out, null));
        errPump = Thread.ofPlatform().daemon(true).name("bench-tool-err").start(() -> pump(process.getErrorStream(),
                err, errLines));
    }

    /**
     * Starts the tool.
     *
     * @param command the tool's command line, as {@link ColdRunner#tool()} begins it
     * @param what    what it is, for messages ("the receiver")
     * @return the running process
     * @throws IOException if it cannot be started
     */
    static ToolProcess start(List<String> command, String what) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(ProcessUsage.wrap(command));
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return new ToolProcess(builder.start(), what);
    }

    private static void pump(InputStream stream, List<String> lines, LinkedBlockingQueue<String> queue) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(line);
                if (queue != null) {
                    queue.add(line);
                }
            }
        } catch (IOException e) {
            // The process ended.
        } finally {
            if (queue != null) {
                queue.add(END);
            }
        }
    }

    /**
     * Waits for a line on standard error that starts with {@code prefix}.
     *
     * @param prefix  such as {@code "listening on "}
     * @param seconds how long to wait at most
     * @return the rest of the line after the prefix
     * @throws IOException if the process ended or the time passed first; the message has its last words
     */
    String awaitError(String prefix, long seconds) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        try {
            while (true) {
                String line = errLines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new IOException(what + " did not write '" + prefix + "…' within " + seconds + " s"
                            + lastWords());
                }
                if (line.equals(END)) {
                    throw new IOException(what + " ended before writing '" + prefix + "…'" + lastWords());
                }
                if (line.startsWith(prefix)) {
                    return line.substring(prefix.length());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for " + what);
        }
    }

    /**
     * Waits for the process to end successfully and returns its standard output.
     *
     * @param seconds how long to wait at most
     * @return its standard output, the last line being the usage line
     * @throws IOException if it fails or takes too long (it is then killed)
     */
    List<String> awaitSuccess(long seconds) throws IOException {
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                throw new IOException(what + " did not end within " + seconds + " s" + lastWords());
            }
            outPump.join(TimeUnit.SECONDS.toMillis(10));
            errPump.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for " + what);
        }
        if (process.exitValue() != 0) {
            throw new IOException(what + " failed (exit status " + process.exitValue() + ")" + lastWords());
        }
        synchronized (out) {
            return List.copyOf(out);
        }
    }

    /** {@return ": " and the last lines it wrote on standard error, or nothing if it wrote none} */
    private String lastWords() {
        synchronized (err) {
            return err.isEmpty() ? "" : ": " + String.join(" / ", err.subList(Math.max(0, err.size() - 3),
                    err.size()));
        }
    }

    /** Kills the process if it is still running, and waits for it. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
