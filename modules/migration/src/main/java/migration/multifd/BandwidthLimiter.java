package migration.multifd;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A token bucket shared by all channels of a source (QEMU's {@code max-bandwidth}). Each caller reserves its
 * bytes on a shared timeline and sleeps until its turn; a short burst allowance keeps idle gaps from turning
 * into lost throughput. Never spins: waiting is a sleep of at most 50 ms at a time, between which the stop
 * condition is checked.
 */
public final class BandwidthLimiter {

    private static final long BURST_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long MAX_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final long bytesPerSecond;
    private long nextFreeNanos = System.nanoTime();

    /**
     * Creates a limiter.
     *
     * @param bytesPerSecond the limit, 0 for none
     */
    public BandwidthLimiter(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bytesPerSecond must be >= 0: " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
    }

    /**
     * Waits until {@code bytes} may be sent.
     *
     * @param bytes bytes about to be sent
     * @param stop  checked while waiting; when it turns true the wait ends early
     * @return {@code true} when the bytes may go, {@code false} if {@code stop} ended the wait
     * @throws InterruptedException if the thread is interrupted
     */
    public boolean acquire(long bytes, BooleanSupplier stop) throws InterruptedException {
        if (bytesPerSecond == 0 || bytes <= 0) {
            return true;
        }
        long cost = (long) Math.ceil(bytes * 1_000_000_000.0 / bytesPerSecond);
        long start;
        synchronized (this) {
            long now = System.nanoTime();
            start = Math.max(nextFreeNanos, now - BURST_NANOS);
            nextFreeNanos = start + cost;
        }
        while (true) {
            long wait = start - System.nanoTime();
            if (wait <= 0) {
                return true;
            }
            if (stop.getAsBoolean()) {
                return false;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(wait, MAX_SLEEP_NANOS));
        }
    }
}
