package migration.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import io.channel.memory.PageMemory;
import migration.LiveParameters;
import migration.MigrationException;
import migration.MigrationParameters;
import migration.MigrationSource;
import migration.MigrationStats;
import migration.RamBlock;
import migration.cli.live.PageWriters;

/**
 * {@code multifd demo --handover}: a same-host handover between two processes. This process is the source: its
 * memory is a {@code memfd} ({@link RamBlock#memfd}) that writer threads dirty while it migrates live; the
 * destination is {@code multifd receive --listen unix:PATH --size SIZE --print-digest} in a second process, which
 * maps the memory the source hands over. Afterwards the destination reads what it holds (its CRC32C) and this
 * process compares it with its own final memory, which no one writes any more.
 */
final class HandoverDemo {

    /** How long the destination may take to start listening, and to end once the migration has. */
    private static final long CHILD_SECONDS = 120;
    private static final String END = "\u0000end";

    private final String name;
    private final long size;
    private final long dirtyRate;
    private final Duration downtimeLimit;
    private final boolean json;

    /**
     * @param name          the command's name, for messages
     * @param size          the memory's size
     * @param dirtyRate     bytes of pages the writers dirty per second
     * @param downtimeLimit the live migration's downtime limit
     * @param json          whether to print the statistics as JSON
     */
    HandoverDemo(String name, long size, long dirtyRate, Duration downtimeLimit, boolean json) {
        this.name = name;
        this.size = size;
        this.dirtyRate = dirtyRate;
        this.downtimeLimit = downtimeLimit;
        this.json = json;
    }

    /**
     * Runs the demo.
     *
     * @param out    standard output
     * @param err    standard error, for progress
     * @param params the source's parameters
     * @return the exit code
     * @throws MigrationException if the migration fails
     */
    int run(PrintWriter out, PrintWriter err, MigrationParameters params) throws MigrationException, IOException,
            InterruptedException {
        Throwable cause = PageMemory.provider().handoverUnavailabilityCause();
        if (cause != null) {
            throw new CommandFailure("--handover needs memory that can be handed to another process: "
                    + cause.getMessage(), cause);
        }
        Path directory = Files.createTempDirectory("multifd-handover");
        Path socket = directory.resolve("m.sock");
        Progress progress = new Progress(err, name, Progress.onTerminal(), true);
        List<String> command = new ArrayList<>(ToolCommand.current());
        command.addAll(List.of("receive", "--listen", Endpoint.UNIX + socket, "--size", Long.toString(size),
                "--print-digest", "--timeout", "10m"));
        Process child = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File(
                "/dev/null"))).start();
        LinkedBlockingQueue<String> childErr = new LinkedBlockingQueue<>();
        List<String> childLines = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread.ofPlatform().daemon(true).name("handover-destination-out").start(() -> pump(child.getInputStream(),
                childLines, null));
        Thread.ofPlatform().daemon(true).name("handover-destination-err").start(() -> pump(child.getErrorStream(),
                childLines, childErr));
        try (Arena arena = Arena.ofShared()) {
            awaitLine(childErr, "listening on ", childLines);
            progress.note("the destination, process " + child.pid() + ", listens on " + Endpoint.UNIX + socket);
            RamBlock block = RamBlock.memfd(DemoCommand.BLOCK, size, arena);
            DemoContent.fill(block.memory(), System.nanoTime(), Shutdown.current()::requested);
            PageWriters writers = new PageWriters(block.memory(), dirtyRate, 2);
            writers.start();
            LiveParameters live = LiveParameters.defaults().withDowntimeLimit(downtimeLimit);
            MigrationStats sent;
            try (MigrationSource source = MigrationSource.startLive(UnixDomainSocketAddress.of(socket),
                    List.of(block), params, live, writers);
                 Shutdown.Registration cancel = Shutdown.current().cancelling(source::cancel)) {
                progress.note("handing " + ByteSize.format(size) + " of memfd memory over, writers running");
                progress.follow(source::await, source::stats, null);
                sent = source.await();
            } catch (MigrationException e) {
                throw Outcome.failed(out, json, e);
            } finally {
                // Before the arena closes: a writer must never touch unmapped memory.
                writers.stopQuietly();
            }
            // The source is paused for good and its mapping is read-only: its memory is final.
            int here = MemoryDigest.crc32c(block.memory());
            String there = awaitLine(childErr, "digest " + DemoCommand.BLOCK + " ", childLines);
            if (!child.waitFor(CHILD_SECONDS, TimeUnit.SECONDS) || child.exitValue() != 0) {
                throw new CommandFailure("the destination did not end well: " + lastWords(childLines));
            }
            if (!there.equals(MemoryDigest.text(here))) {
                throw new CommandFailure("the destination's memory (CRC32C " + there + ") is not the source's final"
                        + " memory (CRC32C " + MemoryDigest.text(here) + ")");
            }
            int exitCode = Outcome.completed(out, json, name + ": handed " + ByteSize.format(size) + " over to"
                    + " process " + child.pid(), sent, true);
            if (!json) {
                LiveDemo.summarize(out, sent, writers);
                out.printf(Locale.ROOT, "  handover    the destination's memory is the source's final memory"
                        + " (CRC32C %s)%n", there);
                out.flush();
            }
            return exitCode;
        } finally {
            child.destroy();
            child.waitFor(CHILD_SECONDS, TimeUnit.SECONDS);
            Files.deleteIfExists(socket);
            Files.deleteIfExists(directory);
        }
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

    /** Waits for the destination's line that starts with {@code prefix}; returns what follows it. */
    private static String awaitLine(LinkedBlockingQueue<String> lines, String prefix, List<String> all)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHILD_SECONDS);
        while (true) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null || line.equals(END)) {
                throw new CommandFailure("the destination " + (line == null ? "did not say '" + prefix.strip()
                        + "' within " + CHILD_SECONDS + " s" : "ended before it said '" + prefix.strip() + "'")
                        + ": " + lastWords(all));
            }
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length());
            }
        }
    }

    private static String lastWords(List<String> lines) {
        synchronized (lines) {
            return lines.isEmpty() ? "(it said nothing)" : String.join(" | ",
                    lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        }
    }
}
