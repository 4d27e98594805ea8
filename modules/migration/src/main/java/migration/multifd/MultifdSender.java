package migration.multifd;

import io.channel.FlushResult;
import io.channel.IOChannel;
import io.channel.WriteFlag;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import migration.MigrationProtocol;
import migration.ZeroCopyMode;
import migration.protocol.PacketHeader;

/**
 * The sending side of one multifd channel, run on its own platform thread (FFM downcalls pin virtual
 * threads). For each round it claims packets (runs of up to 128 pages of one block) from the round's shared
 * {@link PacketCursor} until none is left, then writes a SYNC and flushes; then it waits for the next round or
 * stop.
 *
 * <p>For each packet it finds the zero pages (QEMU's multifd zero-page detection), lists the normal pages'
 * offsets and then the zero pages' in the header, and writes the header followed by the normal pages as
 * slices of the block's memory, contiguous pages coalesced into one segment. The header buffer is native,
 * reused for every packet, and owned by a confined arena that this thread opens and closes.
 *
 * <p>With zero-copy the header is written <em>without</em> {@link WriteFlag#ZERO_COPY} (its buffer is reused)
 * and the pages <em>with</em> it (they are the source's long-lived memory). After the first zero-copy write
 * the channel flushes at once, so {@link ZeroCopyMode#AUTO} learns early whether the kernel really avoids
 * the copy; if it copied everything, this channel switches to copying writes. Every SYNC is followed by a
 * flush (QEMU's {@code multifd_send_sync_main}).
 *
 * <p>When the migration verifies, it records each page's CRC32C in the block's {@link PageDigests} right after
 * each write returns, over the bytes that write took, while the kernel's copy of them is still in the cache
 * ({@link PayloadDigest}): the digests need no pass over the memory of their own. (A zero-copy write copies
 * nothing, so there the CRC reads the pages from memory.)
 *
 * <p>The pages of a block whose dirty tracker compares page contents (the portable one,
 * {@link io.channel.memory.DirtyTracker#comparesContents()}) go out from a copy instead: the normal pages of each
 * such packet are copied into a buffer this thread owns, written from it with a copying write (never zero-copy:
 * the buffer is reused for the next packet, see {@link IOChannel}), and digested from it. The CRC the tracker
 * is told is then that of the bytes the kernel took. Read from the block after the write, it would miss a page
 * changed and changed back around the kernel's read, which the tracker would then call clean while the
 * destination holds the bytes in between. Blocks tracked by the kernel are sent from their memory as above.
 */
public final class MultifdSender implements Runnable {

    /** A job for a sender. */
    public sealed interface Job {
    }

    /**
     * Send packets claimed from the round's cursor until none is left, then end the round: write a SYNC
     * packet and flush.
     *
     * @param round  the round, from 1
     * @param cursor the round's packets, shared by all senders
     */
    public record RoundJob(int round, PacketCursor cursor) implements Job {
    }

    /** Stop the thread. */
    public record StopJob() implements Job {
    }

    private final int id;
    private final IOChannel channel;
    // Arrays, not lists: a list's class differs with its size (List12, ListN), and a migration whose block count
    // differs from the one the JIT profiled would deoptimise the per-packet code.
    private final MemorySegment[] blocks;
    private final BandwidthLimiter limiter;
    private final AtomicLong packetNumbers;
    private final TransferCounters counters;
    private final ChannelCounters channelCounters;
    private final ZeroCopyMode mode;
    private final SenderHost host;
    private final PageDigests[] digests;
    private final BlockingQueue<Job> mailbox = new ArrayBlockingQueue<>(1);
    private final PayloadDigest digest;
    /** Per block, whether its pages go out from {@link #copy}. */
    private final boolean[] sendsFromCopy;
    /** This thread's copy of a packet's normal pages; made in {@link #run()} when some block needs it. */
    private MemorySegment copy;
    /** A view of {@link #copy} for {@link #digest}. */
    private ByteBuffer copyView;

    /** {@link System#nanoTime()} since when a channel call waits for the peer with no byte moved, else 0. */
    private volatile long blockedSince;
    private boolean zeroCopy;
    private boolean zeroCopyPending;
    private boolean firstFlushDone;
    /** Whether {@link ZeroCopyMode#AUTO} switched this channel to copying because the kernel copied anyway. */
    private boolean switchedToCopy;
    /** Whether this round wrote pages on this channel. */
    private boolean wroteThisRound;
    /** Whether this round wrote pages from {@link #copy} while the channel asks for zero-copy. */
    private boolean copiedInsteadOfZeroCopy;
    private long lastPacket;

    /**
     * Creates the sender of one channel.
     *
     * @param id            the channel id
     * @param channel       the connected channel, its init packet already sent
     * @param blocks        the blocks' memory, by index
     * @param limiter       the shared bandwidth limiter
     * @param packetNumbers the migration-wide packet number source
     * @param counters      migration-wide counters
     * @param channelCounters this channel's counters
     * @param mode          the zero-copy mode
     * @param zeroCopy      whether this channel starts with zero-copy writes
     * @param digests       per block, where to record each sent page's CRC32C; {@code null} when not verifying
     * @param fromCopy      per block, whether its pages must go out from a copy whose CRC32C is recorded (its
     *                      dirty tracker compares page contents); {@code null} when none must; requires
     *                      {@code digests} when some must
     * @param host          the owner
     */
    public MultifdSender(int id, IOChannel channel, List<MemorySegment> blocks, BandwidthLimiter limiter,
                         AtomicLong packetNumbers, TransferCounters counters, ChannelCounters channelCounters,
                         ZeroCopyMode mode, boolean zeroCopy, List<PageDigests> digests, List<Boolean> fromCopy,
                         SenderHost host) {
        this.id = id;
        this.channel = channel;
        this.blocks = blocks.toArray(MemorySegment[]::new);
        this.limiter = limiter;
        this.packetNumbers = packetNumbers;
        this.counters = counters;
        this.channelCounters = channelCounters;
        this.mode = mode;
        this.zeroCopy = zeroCopy;
        this.host = host;
        this.digests = digests == null ? null : digests.toArray(PageDigests[]::new);
        this.digest = new PayloadDigest(this.blocks);
        this.sendsFromCopy = new boolean[this.blocks.length];
        boolean any = false;
        boolean every = true;
        for (int b = 0; b < sendsFromCopy.length; b++) {
            sendsFromCopy[b] = fromCopy != null && fromCopy.get(b);
            any |= sendsFromCopy[b];
            every &= sendsFromCopy[b] || this.blocks[b].byteSize() == 0;
        }
        if (any && digests == null) {
            throw new IllegalArgumentException("multifd channel " + id + ": blocks sent from a copy need the page"
                    + " digests that the copy's CRC32C goes to");
        }
        if (any && every && zeroCopy) {
            channelCounters.copiesEveryPage("the pages of blocks tracked by page checksums go out from a copy, so"
                    + " that the checksum the tracker compares with is of the bytes sent");
        }
    }

    /** {@return the channel id} */
    public int id() {
        return id;
    }

    /**
     * {@return {@link System#nanoTime()} since when this sender has been inside a write or a flush without
     * moving a byte, or 0 when it is not waiting for the channel} The progress rule reads it: a channel whose
     * peer does not read it stays blocked in a write.
     */
    public long blockedSince() {
        return blockedSince;
    }

    /**
     * Hands a job to this sender, which must have finished its previous one.
     *
     * @param job the job
     * @throws IllegalStateException if the sender still has a job
     */
    public void submit(Job job) {
        if (!mailbox.offer(job)) {
            throw new IllegalStateException("multifd channel " + id + " is busy");
        }
    }

    @Override
    public void run() {
        try (Arena arena = Arena.ofConfined()) {
            PacketHeader header = new PacketHeader(arena);
            long[] zeroOffsets = new long[MigrationProtocol.MAX_PAGES_PER_PACKET];
            PacketCursor.Claim claim = new PacketCursor.Claim();
            CRC32C crc = new CRC32C();
            for (boolean needed : sendsFromCopy) {
                if (needed) {
                    copy = arena.allocate((long) MigrationProtocol.MAX_PAGES_PER_PACKET * MigrationProtocol.PAGE_SIZE,
                            MigrationProtocol.PAGE_SIZE);
                    copyView = copy.asByteBuffer();
                    break;
                }
            }
            while (true) {
                Job job = mailbox.poll(100, TimeUnit.MILLISECONDS);
                if (job == null) {
                    if (host.stopping()) {
                        return;
                    }
                    continue;
                }
                switch (job) {
                    case RoundJob round -> {
                        while (round.cursor().next(claim)) {
                            if (!sendPages(claim, header, zeroOffsets, crc)) {
                                return;
                            }
                        }
                        FlushResult flush = sendSync(header);
                        if (flush == null) {
                            return;
                        }
                        host.synced(id, round.round(), flush);
                    }
                    case StopJob stop -> {
                        return;
                    }
                }
            }
        } catch (IOException e) {
            host.failed(id, "multifd channel " + id + where() + ": " + e.getMessage(), e, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            host.failed(id, "multifd channel " + id + ": interrupted", e, false);
        } catch (RuntimeException e) {
            host.failed(id, "multifd channel " + id + where() + ": " + e, e, false);
        } catch (InternalError e) {
            // A read of a mapped source file that faults (SIGBUS): the file was truncated under the mapping.
            host.failed(id, "multifd channel " + id + where() + ": reading the source memory faulted (a file"
                    + " truncated under a mapped block?): " + e,
                    new IOException("memory fault", e), false);
        }
    }

    private String where() {
        return lastPacket == 0 ? "" : ", packet " + lastPacket;
    }

    /** Normal pages of the packet being built (set by {@link #classify}). */
    private int normal;
    /** Zero pages of the packet being built. */
    private int zeros;
    /** Bytes of the normal pages of the packet being built. */
    private long payload;
    /** The normal pages' offsets of the packet being built, copied into the header in one go. */
    private final long[] normalOffsets = new long[MigrationProtocol.MAX_PAGES_PER_PACKET];
    /** Bit i set: page i of the packet being built is a zero page. */
    private final long[] zeroMask = new long[(MigrationProtocol.MAX_PAGES_PER_PACKET + 63) / 64];

    /*
     * The per-packet work is split into small methods on purpose: each compiles quickly and on its own (one
     * large method with the memory-access code inlined was slow for C2 to compile, and was compiled again several
     * times in the middle of a transfer).
     */

    /** Sends one packet of pages; returns false if the migration is stopping. */
    private boolean sendPages(PacketCursor.Claim job, PacketHeader header, long[] zeroOffsets, CRC32C crc)
            throws IOException, InterruptedException {
        MemorySegment block = blocks[job.block()];
        long size = block.byteSize();
        long packetStart = job.firstPage() * MigrationProtocol.PAGE_SIZE;
        long packetEnd = Math.min(size, packetStart + (long) job.count() * MigrationProtocol.PAGE_SIZE);
        MemorySegment packet = block.asSlice(packetStart, packetEnd - packetStart);
        classify(packet, packetStart, zeroOffsets, digests == null ? null : digests[job.block()],
                job.firstPage(), crc);
        header.setOffsets(0, normalOffsets, normal);
        header.setOffsets(normal, zeroOffsets, zeros);
        long number = packetNumbers.incrementAndGet();
        lastPacket = number;
        header.setData(job.block(), normal, zeros, number);
        int headerLength = header.length();
        if (!limiter.acquire(headerLength + payload, host::stopping)) {
            return false;
        }
        boolean fromCopy = sendsFromCopy[job.block()];
        MemorySegment[] iov = fromCopy ? copyPages(header.bytes(), block, packet) : gather(header.bytes(), packet);
        digest.start(digests == null ? null : digests[job.block()], job.block(), normalOffsets, normal);
        if (fromCopy) {
            digest.stagedIn(copyView, 0);
        }
        blockedSince = System.nanoTime();
        try {
            write(iov, fromCopy);
        } finally {
            blockedSince = 0;
        }
        assert digest.complete() : "packet " + number + " written but not digested";
        wroteThisRound |= iov.length > 1;
        copiedInsteadOfZeroCopy |= fromCopy && zeroCopy && iov.length > 1;
        count(headerLength, packet.byteSize());
        if (zeroCopyPending && !firstFlushDone) {
            firstFlush();
        }
        return true;
    }

    /**
     * Finds the packet's zero pages: fills {@link #zeroMask}, {@code zeroOffsets}, {@link #normalOffsets}, {@link #normal}, {@link #zeros} and {@link #payload}; records the zero pages' CRC32C (a
     * constant). The normal pages' CRCs are taken as they are written (see {@link PayloadDigest}).
     */
    private void classify(MemorySegment packet, long packetStart, long[] zeroOffsets,
                          PageDigests pageDigests, long firstPage, CRC32C crc) {
        Arrays.fill(zeroMask, 0);
        int n = 0;
        int z = 0;
        long total = 0;
        long size = packet.byteSize();
        int i = 0;
        for (long at = 0; at < size; at += MigrationProtocol.PAGE_SIZE, i++) {
            long length = Math.min(MigrationProtocol.PAGE_SIZE, size - at);
            if (Pages.isZero(packet, at, length)) {
                zeroMask[i >>> 6] |= 1L << i;
                zeroOffsets[z++] = packetStart + at;
                if (pageDigests != null) {
                    pageDigests.recordZero(crc, firstPage + i);
                }
            } else {
                normalOffsets[n++] = packetStart + at;
                total += length;
            }
        }
        normal = n;
        zeros = z;
        payload = total;
    }

    private boolean isZeroPage(int i) {
        return (zeroMask[i >>> 6] & (1L << i)) != 0;
    }

    /**
     * {@return the header followed by the runs of contiguous normal pages of the packet, in a new array} A new
     * array for every packet, not one reused: C2 compiles a store into a {@code MemorySegment[]} it did not
     * allocate itself with a guess at the array's class that fails (see {@code IOChannel.remainder}), and the
     * uncommon trap throws away the compiled per-packet path in the middle of a transfer.
     */
    private MemorySegment[] gather(MemorySegment header, MemorySegment packet) {
        if (zeros == 0) {
            return packet.byteSize() == 0 ? new MemorySegment[] {header} : new MemorySegment[] {header, packet};
        }
        MemorySegment[] iov = new MemorySegment[1 + runCount(normal + zeros)];
        iov[0] = header;
        int runs = 0;
        long runStart = -1;
        long size = packet.byteSize();
        int i = 0;
        for (long at = 0; at < size; at += MigrationProtocol.PAGE_SIZE, i++) {
            if (isZeroPage(i)) {
                if (runStart >= 0) {
                    iov[++runs] = packet.asSlice(runStart, at - runStart);
                    runStart = -1;
                }
            } else if (runStart < 0) {
                runStart = at;
            }
        }
        if (runStart >= 0) {
            iov[++runs] = packet.asSlice(runStart, size - runStart);
        }
        return iov;
    }

    /**
     * Copies the packet's normal pages into {@link #copy}, in the order of their offsets in the header, and
     * {@return the header followed by that copy, in a new array} What the kernel takes and what the CRC reads are
     * then the same bytes, whatever the application writes to the block meanwhile.
     */
    private MemorySegment[] copyPages(MemorySegment header, MemorySegment block, MemorySegment packet) {
        if (payload == 0) {
            return new MemorySegment[] {header};
        }
        if (zeros == 0) {
            MemorySegment.copy(packet, 0, copy, 0, payload);
        } else {
            long size = block.byteSize();
            for (int k = 0; k < normal; k++) {
                long offset = normalOffsets[k];
                MemorySegment.copy(block, offset, copy, (long) k * MigrationProtocol.PAGE_SIZE,
                        Math.min(MigrationProtocol.PAGE_SIZE, size - offset));
            }
        }
        return new MemorySegment[] {header, copy.asSlice(0, payload)};
    }

    /** {@return the runs of contiguous normal pages among the packet's first {@code pages} pages} */
    private int runCount(int pages) {
        int runs = 0;
        for (int i = 0; i < pages; i++) {
            if (!isZeroPage(i) && (i == 0 || isZeroPage(i - 1))) {
                runs++;
            }
        }
        return runs;
    }

    /**
     * Writes the header ({@code iov[0]}) and the pages: one gathering write, or with zero-copy the header first.
     *
     * @param fromCopy whether the pages are in {@link #copy}
     */
    private void write(MemorySegment[] iov, boolean fromCopy) throws IOException {
        MemorySegment header = iov[0];
        if (zeroCopy && !fromCopy && iov.length > 1) {
            // IMPORTANT: the header buffer and the copy are reused, so they must never be handed to the kernel
            // with ZERO_COPY.
            channel.writeAll(header);
            writePayload(iov, 1, iov.length - 1, 0, ZERO_COPY);
            zeroCopyPending = true;
        } else {
            writePayload(iov, 0, iov.length, header.byteSize(), COPY);
        }
    }

    private static final WriteFlag[] ZERO_COPY = {WriteFlag.ZERO_COPY};
    private static final WriteFlag[] COPY = {};

    /**
     * Writes {@code iov[offset..offset+length)} completely, and after every write hands the payload bytes
     * written so far to {@link #digest}, while the kernel's copy of them (copying writes) is still in this
     * CPU's cache.
     *
     * @param lead bytes before the payload in the segments (the header), not digested
     */
    private void writePayload(MemorySegment[] iov, int offset, int length, long lead, WriteFlag[] flags)
            throws IOException {
        channel.writevAll(iov, offset, length, written -> {
            blockedSince = System.nanoTime();
            digest.advance(written - lead);
        }, flags);
    }

    private void count(int headerLength, long covered) {
        channelCounters.add(headerLength + payload, 1);
        counters.multifdBytes.add(headerLength + payload);
        counters.normalPages.add(normal);
        counters.duplicatePages.add(zeros);
        counters.normalBytes.add(payload);
        counters.processedBytes.add(covered);
        counters.dataPackets.increment();
    }

    /** The first zero-copy flush, which tells {@link ZeroCopyMode#AUTO} whether the kernel really avoids copies. */
    private void firstFlush() throws IOException {
        firstFlushDone = true;
        FlushResult result;
        blockedSince = System.nanoTime();
        try {
            result = channel.flush();
        } finally {
            blockedSince = 0;
        }
        channelCounters.firstFlushed();
        zeroCopyPending = false;
        if (result == FlushResult.ALL_COPIED) {
            boolean switchOff = mode == ZeroCopyMode.AUTO;
            channelCounters.firstFlushAllCopied(switchOff);
            if (switchOff) {
                zeroCopy = false;
                switchedToCopy = true;
            }
        }
    }

    /** Writes a SYNC packet and flushes; returns null if the migration is stopping. */
    private FlushResult sendSync(PacketHeader header) throws IOException, InterruptedException {
        long number = packetNumbers.incrementAndGet();
        lastPacket = number;
        header.setSync(number);
        if (!limiter.acquire(PacketHeader.FIXED_SIZE, host::stopping)) {
            return null;
        }
        FlushResult result = FlushResult.NOTHING_PENDING;
        blockedSince = System.nanoTime();
        try {
            channel.writeAll(header.bytes());
            channelCounters.add(PacketHeader.FIXED_SIZE, 1);
            counters.multifdBytes.add(PacketHeader.FIXED_SIZE);
            if (zeroCopyPending) {
                result = channel.flush();
                zeroCopyPending = false;
            } else if (switchedToCopy && wroteThisRound || copiedInsteadOfZeroCopy) {
                // AUTO stopped asking for zero-copy because the kernel copied every such write, or the pages were of
                // blocks sent from a copy: either way every page of this round was copied although zero-copy was
                // asked for. QEMU's dirty-sync-missed-zero-copy counts this sync all the same (its flush after
                // copies reports "all copied"), so report it as such.
                result = FlushResult.ALL_COPIED;
            }
        } finally {
            blockedSince = 0;
        }
        wroteThisRound = false;
        copiedInsteadOfZeroCopy = false;
        return result;
    }
}
