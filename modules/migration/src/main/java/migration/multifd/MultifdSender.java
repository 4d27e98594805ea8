package migration.multifd;

import io.channel.FlushResult;
import io.channel.IOChannel;
import io.channel.WriteFlag;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import migration.MigrationProtocol;
import migration.ZeroCopyMode;
import migration.protocol.Wire;

/**
 * The sending side of one multifd channel, run on its own platform thread (FFM downcalls pin virtual
 * threads). It takes one job at a time: a run of up to 128 pages of one block, a SYNC, or stop.
 *
 * <p>For a page job it finds the zero pages (QEMU's multifd zero-page detection), lists the normal pages'
 * offsets and then the zero pages' in the header, and writes the header followed by the normal pages as
 * slices of the block's memory, contiguous pages coalesced into one segment. The header buffer is native,
 * reused for every packet, and owned by a confined arena that this thread opens and closes.
 *
 * <p>With zero-copy the header is written <em>without</em> {@link WriteFlag#ZERO_COPY} (its buffer is reused)
 * and the pages <em>with</em> it (they are the source's long-lived memory). After the first zero-copy write
 * the channel flushes at once, so {@link ZeroCopyMode#AUTO} learns early whether the kernel really avoids
 * the copy; if it copied everything, this channel switches to copying writes. Every SYNC is followed by a
 * flush (QEMU's {@code multifd_send_sync_main}).
 */
public final class MultifdSender implements Runnable {

    /** A job for a sender. */
    public sealed interface Job {
    }

    /**
     * Send pages {@code [firstPage, firstPage + count)} of a block.
     *
     * @param block     the block index
     * @param firstPage the first page
     * @param count     1 to 128 pages
     */
    public record PageJob(int block, long firstPage, int count) implements Job {
    }

    /**
     * End a round: write a SYNC packet and flush.
     *
     * @param round the round, from 1
     */
    public record SyncJob(int round) implements Job {
    }

    /** Stop the thread. */
    public record StopJob() implements Job {
    }

    private final int id;
    private final IOChannel channel;
    private final List<MemorySegment> blocks;
    private final BandwidthLimiter limiter;
    private final AtomicLong packetNumbers;
    private final TransferCounters counters;
    private final ChannelCounters channelCounters;
    private final ZeroCopyMode mode;
    private final SenderHost host;
    private final BlockingQueue<Job> mailbox = new ArrayBlockingQueue<>(1);

    private boolean zeroCopy;
    private boolean zeroCopyPending;
    private boolean firstFlushDone;
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
     * @param host          the owner
     */
    public MultifdSender(int id, IOChannel channel, List<MemorySegment> blocks, BandwidthLimiter limiter,
                         AtomicLong packetNumbers, TransferCounters counters, ChannelCounters channelCounters,
                         ZeroCopyMode mode, boolean zeroCopy, SenderHost host) {
        this.id = id;
        this.channel = channel;
        this.blocks = List.copyOf(blocks);
        this.limiter = limiter;
        this.packetNumbers = packetNumbers;
        this.counters = counters;
        this.channelCounters = channelCounters;
        this.mode = mode;
        this.zeroCopy = zeroCopy;
        this.host = host;
    }

    /** {@return the channel id} */
    public int id() {
        return id;
    }

    /**
     * Hands a job to this sender, which must be idle.
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
            MemorySegment header = arena.allocate(Wire.MAX_PACKET_HEADER_SIZE, 8);
            MemorySegment[] iov = new MemorySegment[1 + MigrationProtocol.MAX_PAGES_PER_PACKET];
            long[] zeroOffsets = new long[MigrationProtocol.MAX_PAGES_PER_PACKET];
            host.idle(this);
            while (true) {
                Job job = mailbox.poll(100, TimeUnit.MILLISECONDS);
                if (job == null) {
                    if (host.stopping()) {
                        return;
                    }
                    continue;
                }
                switch (job) {
                    case PageJob pages -> {
                        if (!sendPages(pages, header, iov, zeroOffsets)) {
                            return;
                        }
                        host.idle(this);
                    }
                    case SyncJob sync -> {
                        FlushResult flush = sendSync(header);
                        if (flush == null) {
                            return;
                        }
                        host.synced(id, sync.round(), flush);
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
        }
    }

    private String where() {
        return lastPacket == 0 ? "" : ", packet " + lastPacket;
    }

    /** Sends one packet of pages; returns false if the migration is stopping. */
    private boolean sendPages(PageJob job, MemorySegment header, MemorySegment[] iov, long[] zeroOffsets)
            throws IOException, InterruptedException {
        MemorySegment block = blocks.get(job.block());
        long size = block.byteSize();
        int normal = 0;
        int zeros = 0;
        int runs = 0;
        long runStart = 0;
        long runEnd = -1;
        long payload = 0;
        long covered = 0;
        for (int i = 0; i < job.count(); i++) {
            long offset = (job.firstPage() + i) * MigrationProtocol.PAGE_SIZE;
            long length = Pages.length(offset, size);
            covered += length;
            if (Pages.isZero(block.asSlice(offset, length))) {
                zeroOffsets[zeros++] = offset;
                continue;
            }
            header.set(Wire.LONG, Wire.PACKET_FIXED_SIZE + (long) Wire.OFFSET_SIZE * normal, offset);
            normal++;
            payload += length;
            if (runs > 0 && offset == runEnd) {
                runEnd += length;
            } else {
                if (runs > 0) {
                    iov[runs] = block.asSlice(runStart, runEnd - runStart);
                }
                runs++;
                runStart = offset;
                runEnd = offset + length;
            }
        }
        if (runs > 0) {
            iov[runs] = block.asSlice(runStart, runEnd - runStart);
        }
        for (int i = 0; i < zeros; i++) {
            header.set(Wire.LONG, Wire.PACKET_FIXED_SIZE + (long) Wire.OFFSET_SIZE * (normal + i), zeroOffsets[i]);
        }
        long number = packetNumbers.incrementAndGet();
        lastPacket = number;
        writeFixedHeader(header, 0, job.block(), normal, zeros, number);
        int headerLength = Wire.PACKET_FIXED_SIZE + Wire.OFFSET_SIZE * (normal + zeros);
        if (!limiter.acquire(headerLength + payload, host::stopping)) {
            return false;
        }
        if (zeroCopy && runs > 0) {
            // IMPORTANT: the header buffer is reused, so it must never be handed to the kernel with ZERO_COPY.
            channel.writeAll(header.asSlice(0, headerLength));
            channel.writevAll(iov, 1, runs, WriteFlag.ZERO_COPY);
            zeroCopyPending = true;
        } else {
            iov[0] = header.asSlice(0, headerLength);
            channel.writevAll(iov, 0, 1 + runs);
        }
        java.util.Arrays.fill(iov, 0, 1 + runs, null);
        channelCounters.add(headerLength + payload, 1);
        counters.multifdBytes.add(headerLength + payload);
        counters.normalPages.add(normal);
        counters.duplicatePages.add(zeros);
        counters.normalBytes.add(payload);
        counters.processedBytes.add(covered);
        counters.dataPackets.increment();
        if (zeroCopyPending && !firstFlushDone) {
            firstFlushDone = true;
            FlushResult result = channel.flush();
            zeroCopyPending = false;
            if (result == FlushResult.ALL_COPIED) {
                boolean switchOff = mode == ZeroCopyMode.AUTO;
                channelCounters.firstFlushAllCopied(switchOff);
                if (switchOff) {
                    zeroCopy = false;
                }
            }
        }
        return true;
    }

    /** Writes a SYNC packet and flushes; returns null if the migration is stopping. */
    private FlushResult sendSync(MemorySegment header) throws IOException, InterruptedException {
        long number = packetNumbers.incrementAndGet();
        lastPacket = number;
        writeFixedHeader(header, Wire.FLAG_SYNC, 0, 0, 0, number);
        if (!limiter.acquire(Wire.PACKET_FIXED_SIZE, host::stopping)) {
            return null;
        }
        channel.writeAll(header.asSlice(0, Wire.PACKET_FIXED_SIZE));
        channelCounters.add(Wire.PACKET_FIXED_SIZE, 1);
        counters.multifdBytes.add(Wire.PACKET_FIXED_SIZE);
        FlushResult result = FlushResult.NOTHING_PENDING;
        if (zeroCopyPending) {
            result = channel.flush();
            zeroCopyPending = false;
        }
        return result;
    }

    private static void writeFixedHeader(MemorySegment header, int flags, int block, int normal, int zeros,
                                         long number) {
        header.set(Wire.INT, 0, Wire.MULTIFD_MAGIC);
        header.set(Wire.INT, 4, Wire.VERSION);
        header.set(Wire.INT, 8, flags);
        header.set(Wire.INT, 12, block);
        header.set(Wire.INT, 16, normal);
        header.set(Wire.INT, 20, zeros);
        header.set(Wire.LONG, 24, number);
    }
}
