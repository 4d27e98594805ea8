package migration.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
record RunningCommand(CompletableFuture<Run> run, LineBuffer err) {

    /** {@return {@code multifd <args>}, started} */
    static RunningCommand start(String... args) {
        LineBuffer err = new LineBuffer();
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
        try {
            String line = err.awaitLine("listening on ", run::isDone, 30, TimeUnit.SECONDS);
            return line.substring("listening on ".length());
        } catch (IOException e) {
            throw new AssertionError("the receive did not listen: " + e.getMessage(), e);
        }
    }

    /** {@return the outcome} Fails the test if the command runs more than 30 s longer. */
    Run result() throws Exception {
        return run.get(30, TimeUnit.SECONDS);
    }
}
