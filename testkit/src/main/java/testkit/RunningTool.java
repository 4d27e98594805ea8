package testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;

/**
 * A tool running in this process on a thread of its own (not a shared pool, where one waiting {@code receive}
 * could hold up the next command), whose standard error is watched line by line.
 *
 * @param run its outcome, once it ends
 * @param err its standard error so far
 */
public record RunningTool(CompletableFuture<ToolRun> run, LineBuffer err) {

    /**
     * Starts a tool.
     *
     * @param tool       the tool
     * @param threadName the name of the thread it runs on
     * @param args       its command line
     * @return the running tool
     */
    public static RunningTool start(ToolProvider tool, String threadName, String... args) {
        LineBuffer err = new LineBuffer();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CompletableFuture<ToolRun> run = CompletableFuture.supplyAsync(() -> {
            int code = tool.run(new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), args);
            return new ToolRun(code, out.toString(StandardCharsets.UTF_8), err.text());
        }, task -> Thread.ofPlatform().daemon().name(threadName).start(task));
        return new RunningTool(run, err);
    }

    /**
     * {@return the address a receiving command listens on, from its {@code listening on} line}
     *
     * @throws InterruptedException if interrupted while waiting
     * @throws AssertionError       if it ended, or 30 s passed, without saying it
     */
    public String address() throws InterruptedException {
        try {
            String line = err.awaitLine("listening on ", run::isDone, 30, TimeUnit.SECONDS);
            return line.substring("listening on ".length());
        } catch (IOException e) {
            throw new AssertionError("the command did not listen: " + e.getMessage(), e);
        }
    }

    /**
     * {@return the outcome} Fails the test if the tool runs more than 30 s longer.
     *
     * @throws Exception if it threw, or did not end in time
     */
    public ToolRun result() throws Exception {
        return run.get(30, TimeUnit.SECONDS);
    }
}
