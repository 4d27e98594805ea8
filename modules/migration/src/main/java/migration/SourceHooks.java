package migration;

/**
 * How a live migration stops, restarts and slows down the application that writes the source's memory. Pass
 * them to {@link MigrationSource#startLive}; without them a migration cannot be live (memory that changes while
 * it moves would arrive torn) and runs a single round.
 *
 * <p>Every hook is called on the source's control thread ({@code migration-source}), never concurrently with
 * another hook, and never from a thread of the caller. A hook that throws fails the migration with its message;
 * the control thread is not interrupted while a hook runs, so a hook should return promptly (a pause that
 * waits for its writers to reach a safe point is fine: that time counts as downtime).
 *
 * <p>Order: {@link #throttle} any number of times while rounds run (only with
 * {@link LiveParameters#autoConverge()}); {@link #pause()} at most once, at switchover; {@link #resume()} at
 * most once, only after {@code pause()} was called, and only when the migration then failed or was cancelled.
 */
public interface SourceHooks {

    /**
     * Stops every writer of the source's memory and returns once none writes any more. Called once, on the
     * control thread, at switchover: after the round whose expected downtime fell to the downtime limit (or after
     * {@link MigrationSource#switchover()}), before the last dirty sync. The memory must not change from its
     * return until the migration ends; the application resumes at the destination (or, after a failure, through
     * {@link #resume()}).
     *
     * @throws Exception if the writers cannot be stopped; the migration fails and {@link #resume()} runs
     */
    void pause() throws Exception;

    /**
     * Restarts the writers after a failed or cancelled switchover. Called at most once, on the control thread,
     * after {@link #pause()} was called and the migration then failed or was cancelled, once every channel thread
     * has stopped and every channel is closed, before {@code await()} returns. The source's memory is as the
     * writers left it: the migration only reads it.
     *
     * @throws Exception logged; the migration's outcome stays as it was
     */
    default void resume() throws Exception {
    }

    /**
     * Slows the writers down to let the migration converge (QEMU's auto-converge). Called on the control thread
     * between rounds, with a percentage that only grows, from {@link LiveParameters#cpuThrottleInitial()} up to
     * {@link LiveParameters#maxCpuThrottle()}; called with {@code 0} once when the migration ends without a
     * switchover after throttling (failure or cancel before the pause).
     *
     * @param percent how much of its time each writer should spend sleeping, 0 to 99
     * @throws Exception if the writers cannot be throttled; the migration fails
     */
    default void throttle(int percent) throws Exception {
    }
}
