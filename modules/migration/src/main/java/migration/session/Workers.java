package migration.session;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The worker threads of one side (channel senders or receivers, the main channel's reader, the acceptor, the
 * connection identifiers), each started through here so that the end of the migration joins every one.
 */
final class Workers {

    private final String prefix;
    private final Set<Thread> threads = ConcurrentHashMap.newKeySet();

    /**
     * @param prefix the start of every thread name, such as {@code migration-source-}
     */
    Workers(String prefix) {
        this.prefix = prefix;
    }

    /**
     * Starts a worker that the end of the migration joins.
     *
     * @param name   the name after the prefix
     * @param action what it runs
     */
    void start(String name, Runnable action) {
        start(Thread.ofPlatform().name(prefix + name).daemon(true).unstarted(action));
    }

    /**
     * Starts a worker that forgets itself when it ends, for short tasks that may come in large numbers (one per
     * accepted connection); the end of the migration joins those still running.
     *
     * @param name   the name after the prefix
     * @param action what it runs
     */
    void startShort(String name, Runnable action) {
        start(Thread.ofPlatform().name(prefix + name).daemon(true).unstarted(() -> {
            try {
                action.run();
            } finally {
                threads.remove(Thread.currentThread());
            }
        }));
    }

    /** Lists a worker before starting it, so that the end never misses one that runs; unlists it if it fails. */
    private void start(Thread thread) {
        threads.add(thread);
        try {
            thread.start();
        } catch (RuntimeException | Error e) {
            threads.remove(thread);
            throw e;
        }
    }

    /**
     * Joins every worker, each for up to {@code timeout}; if some still run, calls {@code kick} (which shuts the
     * channels they block on down) and joins them once more.
     *
     * @param timeout how long to wait for each worker
     * @param kick    wakes workers blocked in the kernel
     * @return whether every worker ended
     */
    boolean joinAll(Duration timeout, Runnable kick) {
        for (Thread worker : threads) {
            join(worker, timeout);
        }
        if (threads.stream().anyMatch(Thread::isAlive)) {
            kick.run();
            for (Thread worker : threads) {
                join(worker, timeout);
            }
        }
        boolean all = true;
        for (Thread worker : threads) {
            if (worker.isAlive()) {
                Session.LOG.log(System.Logger.Level.WARNING, "thread " + worker.getName() + " did not stop");
                all = false;
            }
        }
        return all;
    }

    /**
     * Joins a worker. One listed but not yet started is waited for, since its starter is about to start it (or
     * to unlist it, if the start fails): {@code Thread.join} returns at once on a thread never started.
     */
    private void join(Thread worker, Duration timeout) {
        while (worker.getState() == Thread.State.NEW && threads.contains(worker)) {
            Thread.yield();
        }
        if (worker.getState() != Thread.State.NEW) {
            joinQuietly(worker, timeout);
        }
    }

    /**
     * Joins a thread for up to {@code timeout}, keeping an interrupt for the caller; nothing for {@code null} or
     * the current thread.
     *
     * @param thread  the thread
     * @param timeout how long
     */
    static void joinQuietly(Thread thread, Duration timeout) {
        if (thread == null || thread == Thread.currentThread()) {
            return;
        }
        try {
            thread.join(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
