package migration.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The lines of a stream (a child process's output, a command's standard error), read as they come by a daemon
 * thread of its own, for another thread to wait for them one by one, and kept whole. It notes when the first line
 * arrived: for a tool that prints its JSON document at the end, when it had finished.
 */
final class LineQueue {

    /** What {@link #next} returns once the stream has ended, and on every later call. */
    static final String END = "\u0000end";

    private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;
    private volatile long firstNanos;

    private LineQueue(InputStream stream, String threadName) {
        reader = Thread.ofPlatform().daemon(true).name(threadName).start(() -> read(stream));
    }

    /**
     * Starts reading a stream.
     *
     * @param stream     the stream, read as UTF-8 until it ends
     * @param threadName the name of the reading thread
     * @return the lines, as they come
     */
    static LineQueue reading(InputStream stream, String threadName) {
        return new LineQueue(stream, threadName);
    }

    private void read(InputStream stream) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (firstNanos == 0) {
                    firstNanos = System.nanoTime();
                }
                synchronized (lines) {
                    lines.add(line);
                }
                queue.add(line);
            }
        } catch (IOException e) {
            // The writer ended.
        } finally {
            queue.add(END);
        }
    }

    /**
     * {@return the next line, {@link #END} once the stream ended, or {@code null} if the deadline passed first}
     *
     * @param deadline a {@link System#nanoTime()}
     * @throws InterruptedIOException if interrupted while waiting
     */
    String next(long deadline) throws InterruptedIOException {
        String line;
        try {
            line = queue.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted waiting for a line");
        }
        if (END.equals(line)) {
            queue.add(END);
        }
        return line;
    }

    /**
     * Waits for a line that starts with {@code prefix}, passing over the others.
     *
     * @param prefix  such as {@code "listening on "}
     * @param seconds how long to wait at most
     * @param what    what writes the lines, for the message ("multifd receive")
     * @return the rest of the line after the prefix
     * @throws IOException if the stream ended or the time passed first; the message has its last lines
     */
    String await(String prefix, long seconds, String what) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String line = next(deadline);
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
    }

    /** {@return every line so far} */
    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** {@return ": " and the last three lines so far, or nothing if there are none} */
    String lastWords() {
        List<String> all = lines();
        return all.isEmpty() ? "" : ": " + String.join(" / ", all.subList(Math.max(0, all.size() - 3), all.size()));
    }

    /** {@return the {@link System#nanoTime()} at which the first line arrived, or 0 if none has} */
    long firstNanos() {
        return firstNanos;
    }

    /**
     * Waits for the stream to end and every line to be read.
     *
     * @param millis how long to wait at most
     * @throws InterruptedException if interrupted while waiting
     */
    void awaitEnd(long millis) throws InterruptedException {
        reader.join(millis);
    }
}
