package testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * What a command running on another thread writes (its standard error), kept so that another thread can wait for
 * one of its lines, such as {@code receive}'s {@code listening on}.
 */
public class LineBuffer extends ByteArrayOutputStream {

    /** An empty buffer. */
    public LineBuffer() {
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        super.write(b, off, len);
        notifyAll();
    }

    @Override
    public synchronized void write(int b) {
        super.write(b);
        notifyAll();
    }

    /** {@return everything written so far} */
    public synchronized String text() {
        return toString(StandardCharsets.UTF_8);
    }

    /**
     * Waits for a complete line (ended by a line break) that starts with {@code prefix}.
     *
     * @param prefix  how the line starts
     * @param ended   whether the writer has ended, so that the line will never come
     * @param timeout how long to wait
     * @param unit    its unit
     * @return the whole line, without its line break
     * @throws IOException if the writer ended or the time ran out first, with what was written
     * @throws InterruptedException if interrupted while waiting
     */
    public synchronized String awaitLine(String prefix, BooleanSupplier ended, long timeout, TimeUnit unit)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (true) {
            String text = text();
            int newline;
            for (int at = 0; (newline = text.indexOf('\n', at)) >= 0; at = newline + 1) {
                if (text.startsWith(prefix, at)) {
                    return text.substring(at, newline);
                }
            }
            if (ended.getAsBoolean()) {
                throw new IOException("ended without a line starting with '" + prefix + "': " + text);
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new IOException("no line starting with '" + prefix + "' within " + unit.toSeconds(timeout)
                        + " s: " + text);
            }
            // Woken by each write; the bound re-checks whether the writer ended without writing.
            wait(Math.min(left, 100));
        }
    }
}
