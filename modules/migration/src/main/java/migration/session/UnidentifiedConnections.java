package migration.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The destination's book of accepted connections that have not yet said what they are: at most {@code limit}
 * held at once, each for at most {@code timeout}; every connection that leaves the book without being
 * identified is counted, with the reason of the last one kept for messages. A port scanner, a health check or
 * a stranger's idle connection so costs a count, never the migration.
 *
 * <p>Thread-safe. Knows nothing of channels: the caller shuts down and closes what it gets back.
 *
 * @param <C> the connection type
 */
final class UnidentifiedConnections<C> {

    private final int limit;
    private final long timeoutNanos;
    /** Connection to its deadline ({@link System#nanoTime()}), oldest first. */
    private final Map<C, Long> pending = new LinkedHashMap<>();
    private long dropped;
    private String lastReason;

    /**
     * Creates an empty book.
     *
     * @param limit   how many connections may be held at once
     * @param timeout how long one may take to identify itself
     */
    UnidentifiedConnections(int limit, Duration timeout) {
        this.limit = limit;
        this.timeoutNanos = timeout.toNanos();
    }

    /**
     * Takes a new connection in, unless the book is full: then it is counted as dropped at once.
     *
     * @param connection the accepted connection
     * @param now        {@link System#nanoTime()}
     * @return whether it was taken in (else the caller closes it)
     */
    synchronized boolean admit(C connection, long now) {
        if (pending.size() >= limit) {
            count("more than " + limit + " connections were waiting to identify themselves");
            return false;
        }
        pending.put(connection, now + timeoutNanos);
        return true;
    }

    /**
     * The connection identified itself as the migration's and leaves the book uncounted.
     *
     * @param connection the connection
     * @return whether it was still in the book ({@code false}: it was dropped meanwhile, and counted)
     */
    synchronized boolean identified(C connection) {
        return pending.remove(connection) != null;
    }

    /**
     * {@return whether the connection is still in the book}
     * @param connection the connection
     */
    synchronized boolean contains(C connection) {
        return pending.containsKey(connection);
    }

    /**
     * The connection is not the migration's: it leaves the book and is counted.
     *
     * @param connection the connection
     * @param reason     why, for messages
     * @return whether it was still in the book ({@code false}: it was counted before)
     */
    synchronized boolean drop(C connection, String reason) {
        if (pending.remove(connection) == null) {
            return false;
        }
        count(reason);
        return true;
    }

    /**
     * Drops the connections whose time ran out.
     *
     * @param now    {@link System#nanoTime()}
     * @param reason why, for messages
     * @return the dropped connections, to shut down
     */
    synchronized List<C> expire(long now, String reason) {
        List<C> expired = new ArrayList<>();
        for (Iterator<Map.Entry<C, Long>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<C, Long> entry = it.next();
            if (now - entry.getValue() > 0) {
                it.remove();
                expired.add(entry.getKey());
                count(reason);
            }
        }
        return expired;
    }

    /**
     * Drops every connection still in the book.
     *
     * @param reason why, for messages
     * @return the dropped connections, to shut down
     */
    synchronized List<C> dropAll(String reason) {
        List<C> all = new ArrayList<>(pending.keySet());
        pending.clear();
        for (int i = 0; i < all.size(); i++) {
            count(reason);
        }
        return all;
    }

    /** {@return how many connections were dropped so far} */
    synchronized long dropped() {
        return dropped;
    }

    /** {@return "" when none was dropped, else " (N connection(s) dropped, the last: reason)", for messages} */
    synchronized String summary() {
        return dropped == 0 ? "" : " (" + dropped + " connection" + (dropped == 1 ? "" : "s")
                + " that did not identify as this migration's dropped, the last: " + lastReason + ")";
    }

    private void count(String reason) {
        dropped++;
        lastReason = reason;
    }
}
