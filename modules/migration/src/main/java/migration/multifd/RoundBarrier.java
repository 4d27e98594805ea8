package migration.multifd;

import java.util.function.BooleanSupplier;

/**
 * Where the receiving channels meet at the end of a round (QEMU's {@code multifd_recv_sync_main}): each
 * channel that reads its SYNC packet arrives and waits; the main thread, told by the source on the main
 * channel that the round ended, waits for every channel to arrive and then releases them into the next round
 * or tells them to finish. Waits wake at least every 100 ms to check the stop condition.
 */
public final class RoundBarrier {

    /** What a released channel does next. */
    public enum Release {
        /** Read the next round's packets. */
        CONTINUE,
        /** The migration's data is complete; stop reading. */
        DONE
    }

    private final int[] reached;
    private int releasedRound;
    private boolean done;

    /**
     * Creates a barrier for {@code channels} channels.
     *
     * @param channels the number of channels
     */
    public RoundBarrier(int channels) {
        this.reached = new int[channels];
    }

    /**
     * A channel read its SYNC packet for the next round.
     *
     * @param channel the channel id
     * @return the round it ended
     */
    public synchronized int arrive(int channel) {
        reached[channel]++;
        notifyAll();
        return reached[channel];
    }

    /**
     * Waits for the channel's release after {@link #arrive}.
     *
     * @param round the round the channel ended
     * @param stop  ends the wait early
     * @return what to do next, or {@code null} if {@code stop} ended the wait
     * @throws InterruptedException if interrupted
     */
    public synchronized Release awaitRelease(int round, BooleanSupplier stop) throws InterruptedException {
        while (releasedRound < round) {
            if (stop.getAsBoolean()) {
                return null;
            }
            wait(100);
        }
        return done && releasedRound == round ? Release.DONE : Release.CONTINUE;
    }

    /**
     * Waits until every channel ended {@code round}.
     *
     * @param round the round
     * @param stop  ends the wait early
     * @return whether every channel arrived ({@code false} if {@code stop} ended the wait)
     * @throws InterruptedException if interrupted
     */
    public synchronized boolean awaitAll(int round, BooleanSupplier stop) throws InterruptedException {
        while (!allReached(round)) {
            if (stop.getAsBoolean()) {
                return false;
            }
            wait(100);
        }
        return true;
    }

    /**
     * Releases every channel that ended {@code round}.
     *
     * @param round the round
     * @param last  whether it was the last round
     */
    public synchronized void release(int round, boolean last) {
        releasedRound = round;
        done = last;
        notifyAll();
    }

    /**
     * {@return how many rounds the channel has ended (SYNC packets read)}
     * @param channel the channel id
     */
    public synchronized int reached(int channel) {
        return reached[channel];
    }

    /** Wakes every waiter so it checks its stop condition now. */
    public synchronized void wakeAll() {
        notifyAll();
    }

    private boolean allReached(int round) {
        for (int count : reached) {
            if (count < round) {
                return false;
            }
        }
        return true;
    }
}
