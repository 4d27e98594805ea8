package io.channel.memory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Tells which pages of one region of memory were written since the last time it was asked: the dirty log of
 * one RAM block for iterative precopy. Get one from {@link DirtyTrackers#track(MemorySegment)}, which picks
 * the best {@link DirtyTrackerProvider} for the region.
 *
 * <p>Life cycle: {@link #arm()} declares every page clean and starts tracking; each {@link #sync()} returns
 * the pages written since the arm or the previous sync and declares them clean again, in one step, so a write
 * that races with a sync is reported by this sync or by the next one, never lost; {@link #close()} stops
 * tracking and frees what the tracker holds (kernel registrations, descriptors, checksums). Pages are
 * {@value #PAGE_SIZE} bytes counted from the region's first byte; the last page may be shorter.
 *
 * <p>Threads and ownership: the tracker has one owner, the thread (or the succession of threads) that calls
 * {@link #arm()}, {@link #sync()} and {@link #close()}; these three are serialized by the tracker, so a
 * {@code close()} from another thread waits for a running sync. Any number of threads may write the memory
 * and call {@link #markDirty} and {@link #recordSent} at any time, also concurrently with a sync. The memory
 * must stay mapped until {@link #close()} returned: close the tracker before the arena that owns the memory.
 *
 * <p>Subclasses (providers) implement the {@code impl*} hooks; the public methods check state and arguments
 * once and are final.
 */
public abstract class DirtyTracker implements AutoCloseable {

    /** The page size of every tracker: the x86_64 base page, and the page of the migration protocol. */
    public static final long PAGE_SIZE = 4096;

    private enum State { CREATED, ARMED, CLOSED }

    private final String providerName;
    private final MemorySegment memory;
    private final long pageCount;
    private final ReportedPages reported;
    private final Object lock = new Object();
    private State state = State.CREATED;
    private volatile boolean closed;
    /** Set once by {@link DirtyTrackers} before the tracker is handed out; see {@link #fallbackCause()}. */
    private volatile Throwable fallbackCause;

    /**
     * Creates a tracker for a region; does not arm it.
     *
     * @param providerName the name of the provider that made it
     * @param memory       the region, at least one byte
     */
    protected DirtyTracker(String providerName, MemorySegment memory) {
        this.providerName = Objects.requireNonNull(providerName, "providerName");
        this.memory = Objects.requireNonNull(memory, "memory");
        if (memory.byteSize() == 0) {
            throw new IllegalArgumentException("cannot track an empty memory segment");
        }
        this.pageCount = (memory.byteSize() + PAGE_SIZE - 1) / PAGE_SIZE;
        this.reported = new ReportedPages(pageCount);
    }

    /** {@return the name of the provider tracking this region} */
    public final String providerName() {
        return providerName;
    }

    /**
     * {@return why this region is not tracked by the provider {@link DirtyTrackers} chose, or {@code null}}
     * Non-null when that provider refused the region (a kind of mapping it cannot track, a kernel without a
     * feature) and the portable one tracks it instead.
     */
    public final Throwable fallbackCause() {
        return fallbackCause;
    }

    /** {@return the provider's name, and why it tracks this region when it is a fallback} For statistics. */
    public final String describe() {
        Throwable cause = fallbackCause;
        return cause == null ? providerName : providerName + " (" + cause.getMessage() + ")";
    }

    /** {@return the tracked region} */
    public final MemorySegment memory() {
        return memory;
    }

    /** {@return the number of pages of the region} */
    public final long pageCount() {
        return pageCount;
    }

    /**
     * Declares every page clean and starts (or restarts) tracking. Reports made before are dropped.
     *
     * @throws IOException           if the tracker could not arm (a kernel call failed)
     * @throws IllegalStateException if the tracker is closed
     */
    public final void arm() throws IOException {
        synchronized (lock) {
            ensureOpen();
            reported.clear();
            implArm();
            state = State.ARMED;
        }
    }

    /**
     * Returns the pages written since {@link #arm()} or the previous sync, and declares them clean.
     * Includes every page reported through {@link #markDirty} since then.
     *
     * @return the dirty pages
     * @throws IOException           if the tracker could not read its log (a kernel call failed); the tracker
     *                               is then in an unknown state and must be closed
     * @throws IllegalStateException if the tracker was not armed, or is closed
     */
    public final DirtyPages sync() throws IOException {
        synchronized (lock) {
            ensureOpen();
            if (state != State.ARMED) {
                throw new IllegalStateException("dirty tracker '" + providerName + "' was not armed: call arm()"
                        + " before sync()");
            }
            DirtyPages.Builder found = DirtyPages.builder(pageCount);
            implSync(found);
            return found.build().union(reported.drain());
        }
    }

    /**
     * Reports that bytes of the region were written; the next sync includes their pages. Call it after the
     * write. Every tracker accepts reports: the application-reported tracker knows nothing else, and the
     * others add them to what they find (for example, writes by another process to shared memory, which a
     * kernel tracker of this process does not see). Any thread; ignored once the tracker is closed.
     *
     * @param offset the first byte written, from the region's start
     * @param length the number of bytes written; 0 reports nothing
     * @throws IndexOutOfBoundsException if the bytes are not all inside the region
     */
    public final void markDirty(long offset, long length) {
        Objects.checkFromIndexSize(offset, length, memory.byteSize());
        if (length == 0 || closed) {
            return;
        }
        reported.mark(offset / PAGE_SIZE, (offset + length - 1) / PAGE_SIZE + 1);
    }

    /**
     * {@return whether this tracker finds written pages by comparing their contents, so that it depends on
     * {@link #recordSent} being told exactly what went out}
     * The portable tracker does: a page is clean when its bytes hash as at the last sync and as last sent. A
     * sender of such a region must take each page's CRC32C from the very bytes it hands to the kernel, that is
     * from a copy it owns and sends with a copying write: a CRC read from the region after a send returned (or
     * before the kernel read the page, which a zero-copy send does later still) misses a page changed and
     * changed back around the kernel's read (a lock word, a reference count). That page is then recorded clean
     * while the peer holds the bytes in between. Trackers the kernel keeps (write-protection, soft-dirty bits)
     * see the writes themselves and answer {@code false}: their regions can be sent from the memory itself.
     */
    public final boolean comparesContents() {
        return implComparesContents();
    }

    /**
     * Tells the tracker the CRC32C of a page's bytes as they were sent ({@value #PAGE_SIZE} bytes, fewer for a
     * shorter last page). Trackers that compare contents ({@link #comparesContents()}) use it as the page's
     * reference, so that a page written and written back to what it held at the last sync is still seen as
     * changed when what went out differs; other trackers ignore it. The CRC must be of the bytes the kernel
     * took, not of the region read again around the send (see {@link #comparesContents()}). Any thread.
     *
     * @param page   the page's index
     * @param crc32c the CRC32C of the bytes that went out
     * @throws IndexOutOfBoundsException if the page is not in the region
     */
    public final void recordSent(long page, int crc32c) {
        Objects.checkIndex(page, pageCount);
        if (!closed) {
            implRecordSent(page, crc32c);
        }
    }

    /** Stops tracking and frees what the tracker holds. Idempotent; waits for a running sync. */
    @Override
    public final void close() {
        synchronized (lock) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
            closed = true;
            implClose();
        }
    }

    /** {@return whether {@link #close()} was called} */
    public final boolean isClosed() {
        return closed;
    }

    /** Records the provider that refused the region; called once by {@link DirtyTrackers} before handing it out. */
    final void fellBackBecause(Throwable cause) {
        this.fallbackCause = Objects.requireNonNull(cause, "cause");
    }

    private void ensureOpen() {
        if (state == State.CLOSED) {
            throw new IllegalStateException("dirty tracker '" + providerName + "' is closed");
        }
    }

    /**
     * Declares every page clean and starts tracking. Called with the tracker's lock held; may be called again
     * after syncs, to restart.
     *
     * @throws IOException if a kernel call failed
     */
    protected abstract void implArm() throws IOException;

    /**
     * Adds the pages written since the arm or the previous sync to {@code dirty}, in ascending order, and
     * declares them clean. Reported pages are added by the caller. Called with the tracker's lock held.
     *
     * @param dirty where the pages go
     * @throws IOException if a kernel call failed
     */
    protected abstract void implSync(DirtyPages.Builder dirty) throws IOException;

    /**
     * {@return whether the tracker compares page contents} {@code false} unless overridden; see
     * {@link #comparesContents()}.
     */
    protected boolean implComparesContents() {
        return false;
    }

    /**
     * Takes a sent page's CRC32C; does nothing unless the tracker compares contents. Any thread, concurrently
     * with a sync.
     *
     * @param page   the page's index, checked
     * @param crc32c its CRC32C as sent
     */
    protected void implRecordSent(long page, int crc32c) {
    }

    /** Frees what the tracker holds. Called once, with the tracker's lock held. Must not throw. */
    protected abstract void implClose();
}
