package migration.bench;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code multifd} command run as a user runs it, in a fresh process, under the shell that reports its
 * usage ({@link ProcessUsage}), its CPU time followed while it runs ({@link CpuTimeline}). Both its outputs are
 * read as they come: standard output kept whole, standard error line by line (to find
 * {@code listening on HOST:PORT}, and to say why it failed).
 */
final class ToolProcess implements AutoCloseable {

    private final Process process;
    private final String what;
    private final LineQueue out;
    private final LineQueue err;
    private final CpuTimeline cpu;

    private ToolProcess(Process process, long started, String what) {
        this.process = process;
        this.what = what;
        out = LineQueue.reading(process.getInputStream(), "bench-tool-out");
        err = LineQueue.reading(process.getErrorStream(), "bench-tool-err");
        cpu = CpuTimeline.follow(process.toHandle(), started);
    }

    /**
     * Starts the tool.
     *
     * @param command the tool's command line, as {@link ColdRunner#tool()} begins it
     * @param what    what it is, for messages ("multifd receive")
     * @return the running process
     * @throws IOException if it cannot be started
     */
    static ToolProcess start(List<String> command, String what) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(ProcessUsage.wrap(command));
        builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        long started = System.nanoTime();
        return new ToolProcess(builder.start(), started, what);
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
        return err.await(prefix, seconds, what);
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
                throw new IOException(what + " did not end within " + seconds + " s" + err.lastWords());
            }
            out.awaitEnd(TimeUnit.SECONDS.toMillis(10));
            err.awaitEnd(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for " + what);
        }
        if (process.exitValue() != 0) {
            throw new IOException(what + " failed (exit status " + process.exitValue() + ")" + err.lastWords());
        }
        return out.lines();
    }

    /**
     * {@return when its first line of standard output arrived ({@link System#nanoTime()}): for a command with
     * {@code --json}, when it printed its document, having finished}
     *
     * @throws IOException if it printed none
     */
    long outputNanos() throws IOException {
        long nanos = out.firstNanos();
        if (nanos == 0) {
            throw new IOException(what + " printed nothing on standard output" + err.lastWords());
        }
        return nanos;
    }

    /**
     * {@return the CPU seconds the tool's process had used at a moment}
     *
     * @param nanos          the moment ({@link System#nanoTime()})
     * @param ticksPerSecond the clock ticks per second of its counters, from its usage line
     */
    double cpuSecondsAt(long nanos, long ticksPerSecond) {
        return cpu.secondsAt(nanos, ticksPerSecond);
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
        cpu.close();
    }
}
