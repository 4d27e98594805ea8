package io.channel.tls;

import io.channel.IOChannel;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Closes a channel if a blocking exchange on it takes longer than a timeout. {@link IOChannel} has no read
 * timeout, but closing it wakes a thread blocked in it (its contract), so the exchange ends with an error
 * and {@link #expired()} tells why.
 *
 * <p>One short-lived daemon thread per deadline; {@link #close()} ends and joins it, so none outlives the
 * exchange.
 */
final class Deadline implements AutoCloseable {

    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean expired;

    private Deadline(IOChannel channel, Duration timeout, String name) {
        thread = Thread.ofPlatform().daemon().name(name).unstarted(() -> {
            try {
                if (!done.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                    expired = true;
                    channel.close();
                }
            } catch (InterruptedException | IOException e) {
                // Closing failed or we were told to stop: the exchange ends on its own terms.
            }
        });
        thread.start();
    }

    /**
     * Starts the clock.
     *
     * @param channel the channel to close when time runs out
     * @param timeout how long the exchange may take
     * @param name    the thread's name, saying what is timed
     * @return the running deadline; close it when the exchange ends
     */
    static Deadline start(IOChannel channel, Duration timeout, String name) {
        return new Deadline(channel, timeout, name);
    }

    /** {@return whether time ran out and the channel was closed} */
    boolean expired() {
        return expired;
    }

    /** Stops the clock and waits for its thread to end. */
    @Override
    public void close() {
        done.countDown();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
