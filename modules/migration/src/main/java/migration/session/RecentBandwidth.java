package migration.session;

/**
 * The bandwidth the expected downtime divides by: the bytes of the last few rounds over their time together
 * ({@value #ROUNDS} rounds at most), not the last round's alone. Given numbers only (no clock), the control
 * thread's.
 *
 * <p>Why more than one round: the switchover is decided right after a round whose pages seem quick enough to
 * send, so a round whose bandwidth came out high by chance (a quiet moment of the machine, the writers
 * descheduled) is the one most likely to trigger it, and the last round then meets the usual bandwidth: the
 * downtime overshoots the expectation just when it counts. Pooling a few rounds damps that. Round 1 counts only
 * until another round measured: it sends every page in long runs, faster than scattered dirty pages go (see
 * {@link Convergence}).
 */
final class RecentBandwidth {

    /** Rounds pooled at most. */
    static final int ROUNDS = 3;

    private final long[] bytes = new long[ROUNDS];
    private final long[] nanos = new long[ROUNDS];
    private int count;

    /**
     * Adds a round that ended.
     *
     * @param round      the round, from 1
     * @param roundBytes the bytes it sent
     * @param roundNanos how long they took end to end
     */
    void add(int round, long roundBytes, long roundNanos) {
        if (round == 2) {
            count = 0; // round 1's long runs no longer stand for the rounds to come
        }
        if (count == ROUNDS) {
            System.arraycopy(bytes, 1, bytes, 0, ROUNDS - 1);
            System.arraycopy(nanos, 1, nanos, 0, ROUNDS - 1);
            count--;
        }
        bytes[count] = roundBytes;
        nanos[count] = roundNanos;
        count++;
    }

    /** {@return the pooled rounds' bytes per second, 0 before any round} */
    long bytesPerSecond() {
        long sumBytes = 0;
        long sumNanos = 0;
        for (int i = 0; i < count; i++) {
            sumBytes += bytes[i];
            sumNanos += nanos[i];
        }
        return count == 0 ? 0 : (long) (sumBytes * 1e9 / Math.max(1, sumNanos));
    }
}
