package migration.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A command running in this process on a thread of its own (not a shared pool, where one waiting {@code receive}
 * could hold up the next command) (a {@code receive} waiting for its source), whose standard
 * error is watched line by line.
 *
 * @param run its outcome, once it ends
 * @param err its standard error so far
 */
record RunningCommand(CompletableFuture<Run> run, LineWatcher err) {

    /** {@return {@code multifd <args>}, started} */
    static RunningCommand start(String... args) {
        LineWatcher err = new LineWatcher();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<Run> run = CompletableFuture.supplyAsync(() -> {
            int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.text());
        }, task -> Thread.ofPlatform().daemon().name("multifd-" + args[0]).start(task));
        return new RunningCommand(run, err);
    }

    /** {@return the address of a {@code receive}, from its {@code listening on} line} */
    String address() throws InterruptedException {
        String line = err.awaitLineStartingWith("listening on ");
        return line.substring("listening on ".length());
    }

    /** {@return the outcome} Fails the test if the command runs more than 30 s longer. */
    Run result() throws Exception {
        return run.get(30, TimeUnit.SECONDS);
    }

    /** Standard error of an in-process run, with a wait for a line. */
    static final class LineWatcher extends ByteArrayOutputStream {

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

        synchronized String text() {
            return toString(StandardCharsets.UTF_8);
        }

        synchronized String awaitLineStartingWith(String prefix) throws InterruptedException {
            while (true) {
                List<String> lines = text().lines().toList();
                for (int i = 0; i < lines.size(); i++) {
                    boolean complete = i < lines.size() - 1 || text().endsWith("\n");
                    if (complete && lines.get(i).startsWith(prefix)) {
                        return lines.get(i);
                    }
                }
                wait();
            }
        }
    }
}
