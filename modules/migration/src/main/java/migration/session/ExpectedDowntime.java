package migration.session;

/**
 * The downtime a switchover decided now is expected to take ({@code expected-downtime}), in two parts, from numbers
 * the rounds measured (given here, so that tests give them too).
 *
 * <p>QEMU's {@code expected-downtime} is the dirty bytes left divided by the bandwidth: the time to send what is
 * left. That is the whole of QEMU's downtime only because its dirty sync at the switchover is cheap next to the
 * pages. Ours adds the part of the downtime that does not shrink with the pages left, measured during the migration:
 * <ul>
 *   <li>the last sync of the dirty trackers, which runs after the pause. Its cost is the tracker's cost per sync:
 *       the smallest sync of the migration so far measures it (the last sync finds few pages, only those written
 *       between the sync that decided the switchover and the pause). For the kernel tracker that is milliseconds;
 *       for the portable tracker, which reads all memory at every sync, it is most of the downtime, and leaving it
 *       out made the expectation a fraction of the truth ({@code docs/design/live-migration.md});</li>
 *   <li>the round trip that ends the last round (COMPLETE, the destination's barrier and digest check, RESULT):
 *       every round ends with the same trip (ROUND_END, the destination's barrier, ROUND_RECEIVED), and the
 *       shortest of them measures its fixed part (the longer ones also wait for bytes still in the sockets'
 *       buffers, which the bandwidth covers).</li>
 * </ul>
 *
 * <p>The bandwidth is the rounds' bytes over the time from their first packet to the destination's ROUND_RECEIVED
 * (what the bytes took to reach the destination's memory, round trip included, as the last round's bytes and its
 * COMPLETE-to-RESULT trip do), pooled over the last few rounds ({@link RecentBandwidth}). The block digests' fold and the sync after a round are not in it; the fold does not
 * recur in the downtime (only the last round's pages are folded there), the sync is the fixed part.
 *
 * <p>Left out, because nothing measures them before the one switchover: the application's pause hook (see
 * {@code downtime-phases-us} afterwards).
 *
 * @param fixedMillis    the last sync and the last round trip, as the smallest of each so far, in ms (rounded up)
 * @param variableMillis the dirty bytes left ({@link #bytesLeft}) divided by the bandwidth, in ms (rounded up);
 *                       {@link Long#MAX_VALUE}
 *                       when pages are dirty and no bandwidth was measured
 */
record ExpectedDowntime(long fixedMillis, long variableMillis) {

    /**
     * Computes the parts.
     *
     * @param dirtyBytes        the bytes of the dirty pages left
     * @param bandwidth         bytes per second the recent rounds' bytes took end to end
     * @param minSyncNanos      the smallest sync of the trackers so far, in ns
     * @param minRoundTripNanos the shortest wait so far from a ROUND_END sent to its ROUND_RECEIVED, in ns
     * @return the expected downtime
     */
    static ExpectedDowntime of(long dirtyBytes, long bandwidth, long minSyncNanos, long minRoundTripNanos) {
        long variable = bandwidth == 0 ? (dirtyBytes == 0 ? 0 : Long.MAX_VALUE)
                : (long) Math.ceil(dirtyBytes * 1000.0 / bandwidth);
        return new ExpectedDowntime((minSyncNanos + minRoundTripNanos + 999_999) / 1_000_000, variable);
    }

    /**
     * {@return the bytes the last round is expected to send: the dirty pages the sync found, plus those the writers
     * dirty while that sync runs} A sync reports a page written before it looked at the page; one written after
     * (the sync re-armed it) is the next sync's, and the next sync is the last one, after the pause. So the sync's
     * own duration, at the dirty rate it measured, adds to what the last round sends: nothing to speak of for the
     * kernel tracker's milliseconds, hundreds of milliseconds of writes for the portable tracker's read of all
     * memory. (The time from the sync to the pause, the decision and a hook call, is left out: it is short.)
     *
     * @param dirtyBytes          the bytes of the dirty pages the sync found
     * @param dirtyBytesPerSecond the bytes of pages dirtied per second, as the sync measured them
     * @param syncNanos           how long the sync took
     */
    static long bytesLeft(long dirtyBytes, long dirtyBytesPerSecond, long syncNanos) {
        return dirtyBytes + (long) (dirtyBytesPerSecond * (syncNanos / 1e9));
    }

    /** {@return both parts together, in ms ({@code expected-downtime})} */
    long millis() {
        return variableMillis == Long.MAX_VALUE ? Long.MAX_VALUE : fixedMillis + variableMillis;
    }
}
