package migration.multifd;

import io.channel.IOChannel;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.zip.CRC32C;
import migration.MigrationProtocol;
import migration.protocol.PacketHeader;
import migration.protocol.ProtocolException;
import migration.protocol.Wire;

/**
 * The receiving side of one multifd channel, run on its own platform thread.
 *
 * <p>For each packet it reads the fixed header and validates every field, then reads the page offsets and
 * validates each one (page-aligned, inside the block, the short last page respected), and only then reads the
 * payload straight into the block's memory, contiguous pages in one read (or, for a block written through its
 * file, into a staging buffer and from there into the file at the same offsets). Nothing is ever written outside a
 * block, and nothing is written at all before the whole header has been checked. Zero pages are written
 * only where needed: not in fresh zeroed memory on their first arrival, and never where the page already
 * holds zeros.
 *
 * <p>A SYNC packet ends the channel's round; the thread then waits at the {@link RoundBarrier} until the main
 * thread releases it into the next round or tells it to finish.
 */
public final class MultifdReceiver implements Runnable {

    private final int id;
    private final IOChannel channel;
    // An array, not a list: see MultifdSender.blocks.
    private final ReceivingBlock[] blocks;
    private final RoundBarrier barrier;
    private final TransferCounters counters;
    private final ChannelCounters channelCounters;
    private final ReceiverHost host;

    private long lastPacket;
    private volatile long dataPackets;
    /** {@link System#nanoTime()} when bytes last arrived on this channel. */
    private volatile long progressNanos = System.nanoTime();

    /**
     * Creates the receiver of one channel.
     *
     * @param id              the channel id
     * @param channel         the channel, its init packet already read
     * @param blocks          the destination's blocks, by index
     * @param barrier         where rounds end
     * @param counters        migration-wide counters
     * @param channelCounters this channel's counters
     * @param host            the owner
     */
    public MultifdReceiver(int id, IOChannel channel, List<ReceivingBlock> blocks, RoundBarrier barrier,
                           TransferCounters counters, ChannelCounters channelCounters, ReceiverHost host) {
        this.id = id;
        this.channel = channel;
        this.blocks = blocks.toArray(ReceivingBlock[]::new);
        this.digest = new PayloadDigest(blocks.stream().map(ReceivingBlock::memory).toArray(MemorySegment[]::new));
        this.barrier = barrier;
        this.counters = counters;
        this.channelCounters = channelCounters;
        this.host = host;
    }

    /** {@return the channel id} */
    public int id() {
        return id;
    }

    /** {@return {@link System#nanoTime()} when bytes last arrived on this channel} */
    public long progressNanos() {
        return progressNanos;
    }

    /** {@return data packets received so far (SYNC not counted)} */
    public long dataPackets() {
        return dataPackets;
    }

    /**
     * A connection error whose message already names the channel and the packet, raised where that context is
     * known (in the middle of a packet), so that {@link #run} does not wrap it again.
     */
    private static final class PacketIOException extends IOException {
        private static final long serialVersionUID = 1L;

        PacketIOException(String message, IOException cause) {
            super(message, cause);
        }
    }

    /**
     * Writing a block's file failed (a full file system, an I/O error): this side's failure, not the
     * connection's; the message names the channel, the packet and the block.
     */
    private static final class LocalWriteException extends IOException {
        private static final long serialVersionUID = 1L;

        LocalWriteException(String message, IOException cause) {
            super(message, cause);
        }
    }

    private boolean hasFileBlock() {
        for (ReceivingBlock block : blocks) {
            if (block.file() != null) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void run() {
        try (Arena arena = Arena.ofConfined()) {
            PacketHeader header = new PacketHeader(arena);
            CRC32C crc = new CRC32C();
            if (hasFileBlock()) {
                staging = arena.allocate(STAGING, MigrationProtocol.PAGE_SIZE);
                digestView = staging.asByteBuffer();
                writeView = staging.asByteBuffer();
            }
            while (!host.stopping()) {
                if (!receivePacket(header, crc)) {
                    return;
                }
            }
        } catch (ProtocolException | LocalWriteException e) {
            host.failed(id, e.getMessage(), e, false);
        } catch (PacketIOException e) {
            host.failed(id, e.getMessage(), e, true);
        } catch (IOException e) {
            String where = "multifd channel " + id + ", " + (lastPacket == 0 ? "before the first packet"
                    : "after packet " + Long.toUnsignedString(lastPacket));
            host.failed(id, where + ": " + e.getMessage(), e, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            host.failed(id, "multifd channel " + id + ": interrupted", e, false);
        } catch (RuntimeException e) {
            host.failed(id, "multifd channel " + id + ", packet " + Long.toUnsignedString(lastPacket) + ": " + e, e,
                    false);
        } catch (InternalError e) {
            // What the JVM raises when a write into a mapped file faults (SIGBUS): the file system under a
            // file-backed block ran out of space, or the file was truncated. Fail the migration, never hang it.
            host.failed(id, "multifd channel " + id + ", packet " + Long.toUnsignedString(lastPacket)
                    + ": writing into the destination memory faulted (a full file system or a truncated file under"
                    + " a mapped block?): " + e, new IOException("memory fault", e), false);
        }
    }

    /**
     * Reads and applies one packet; returns false when the channel is done (the last round ended, or the
     * migration is stopping). The loop that calls it runs once per packet and so stays interpreted for a long
     * time (HotSpot compiles a loop on its own only after tens of thousands of iterations): the work lives here,
     * in a method that is compiled after a few thousand packets.
     */
    private boolean receivePacket(PacketHeader header, CRC32C crc) throws IOException, InterruptedException {
        if (!Wire.readOrEnd(channel, header.fixedPart(), "the packet header")) {
            throw new EOFException("the source closed the channel");
        }
        progress();
        header.checkFixed(id, lastPacket, blocks.length);
        if (header.isSync()) {
            lastPacket = header.number();
            channelCounters.add(PacketHeader.FIXED_SIZE, 1);
            counters.multifdBytes.add(PacketHeader.FIXED_SIZE);
            int round = barrier.arrive(id);
            RoundBarrier.Release release = barrier.awaitRelease(round, host::stopping);
            return release != null && release != RoundBarrier.Release.DONE;
        }
        receivePages(header, crc);
        return true;
    }

    private void receivePages(PacketHeader header, CRC32C crc) throws IOException {
        ReceivingBlock block = blocks[header.block()];
        MemorySegment memory = block.memory();
        long size = memory.byteSize();
        int normal = header.normalPages();
        int pages = normal + header.zeroPages();
        try {
            Wire.readFully(channel, header.offsetsPart(), "the page offsets");
        } catch (IOException e) {
            throw new PacketIOException(header.where(id) + ": " + e.getMessage(), e);
        }
        header.readOffsets(offsets);
        header.checkOffsets(id, block.name(), size, offsets);
        // The whole header is valid: only now is the block's memory touched.
        lastPacket = header.number();
        long payload = bytes(offsets, 0, normal, size);
        long covered = payload + bytes(offsets, normal, pages, size);
        digest.start(block.digest() == null ? null : block.digest().pages(), header.block(), offsets, normal);
        applyRuns(header, block, normal, payload);
        assert digest.complete() : header.where(id) + " read but not digested";
        applyZeroPages(offsets, block, normal, pages, crc);
        long headerLength = PacketHeader.FIXED_SIZE + (long) PacketHeader.OFFSET_SIZE * pages;
        progress();
        channelCounters.add(headerLength + payload, 1);
        counters.multifdBytes.add(headerLength + payload);
        counters.normalPages.add(normal);
        counters.duplicatePages.add(header.zeroPages());
        counters.normalBytes.add(payload);
        counters.processedBytes.add(covered);
        counters.dataPackets.increment();
        dataPackets++;
    }

    /** Bytes arrived: the source is alive and this channel moves. */
    private void progress() {
        progressNanos = System.nanoTime();
        host.alive();
    }

    /*
     * The per-packet work is split into small methods on purpose: each compiles quickly and on its own (one
     * large method with the memory-access code inlined was slow for C2 to compile, and was compiled again several
     * times in the middle of a transfer). The offsets are decoded into a long[] with one bulk copy, so the per-page
     * loops touch only a Java array: cheap even before the JIT has compiled them, which in a one-shot migration
     * is for much of the transfer.
     */

    /** {@return the bytes of pages {@code from} to {@code to - 1} (a block's last page may be short)} */
    private static long bytes(long[] offsets, int from, int to, long size) {
        long bytes = 0;
        for (int i = from; i < to; i++) {
            bytes += Pages.length(offsets[i], size);
        }
        return bytes;
    }

    /** {@return the end of the run of contiguous normal pages from {@code from}: the index after its last page} */
    private int runEnd(int from, int normal, long size) {
        long end = offsets[from] + Pages.length(offsets[from], size);
        int j = from + 1;
        while (j < normal && offsets[j] == end) {
            end += Pages.length(end, size);
            j++;
        }
        return j;
    }

    /**
     * Reads the normal pages, each run of contiguous pages with one read loop: straight into the block's memory,
     * or for a block written through its file, through the staging buffer into the file.
     */
    private void applyRuns(PacketHeader header, ReceivingBlock block, int normal, long payload) throws IOException {
        long size = block.memory().byteSize();
        long done = 0;
        int i = 0;
        while (i < normal) {
            int j = runEnd(i, normal, size);
            long start = offsets[i];
            long end = offsets[j - 1] + Pages.length(offsets[j - 1], size);
            done = block.file() != null ? stageRun(header, block, start, end, done, payload)
                    : readRun(block.memory().asSlice(start, end - start), header, done, payload);
            long first = start / MigrationProtocol.PAGE_SIZE;
            block.received().setRange(first, j - i);
            if (block.digest() != null) {
                // After the run's CRCs were recorded (as its bytes arrived): see IncrementalBlockDigest.
                block.digest().changed(first, j - i);
            }
            i = j;
        }
    }

    /**
     * Reads the run of pages from {@code start} to {@code end} into the staging buffer, a piece at a time, and
     * writes each piece to the block's file at its offset ({@code pwrite}); returns the payload bytes done. For a
     * block that maps a new file (receive into a file) this costs the kernel much less than writing through the
     * mapping does: a shared mapping of a new tmpfs or page-cache file takes a fault per page, and each fault
     * allocates and zeroes a page that the data then overwrites, where a whole-page write allocates it without
     * zeroing, whether the mapping is populated ahead or not ({@code docs/design/receiving-into-a-file.md}). Each
     * piece is read, digested and written while it is in this CPU's cache.
     */
    private long stageRun(PacketHeader header, ReceivingBlock block, long start, long end, long doneBefore,
                          long payload) throws IOException {
        long done = doneBefore;
        for (long at = start; at < end; ) {
            int piece = (int) Math.min(STAGING, end - at);
            digest.stagedIn(digestView, done);
            done = readRun(staging.asSlice(0, piece), header, done, payload);
            writeThrough(block, header, piece, at);
            at += piece;
        }
        return done;
    }

    /** Writes the first {@code length} bytes of the staging buffer to the block's file at {@code position}. */
    private void writeThrough(ReceivingBlock block, PacketHeader header, int length, long position)
            throws IOException {
        ByteBuffer bytes = writeView.clear().limit(length);
        try {
            // One channel thread writes a block's file at a time. The kernel serializes writes to one file anyway
            // (tmpfs and most file systems take the inode's lock for a write: mm/shmem.c shmem_file_write_iter),
            // and a writer waiting there spins on the lock's owner (rwsem_spin_on_owner), taking a CPU from the
            // sender on the same host. Waiting here parks instead (docs/design/receiving-into-a-file.md).
            synchronized (block.file()) {
                while (bytes.hasRemaining()) {
                    block.file().write(bytes, position + bytes.position());
                }
            }
        } catch (IOException e) {
            throw new LocalWriteException(header.where(id) + ": writing " + length + " bytes at offset "
                    + Wire.hex(position) + " of ram block '" + block.name() + "' to its file failed: "
                    + (e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName()), e);
        }
    }

    /** Zero pages: written only where the memory may not hold zeros already. */
    private static void applyZeroPages(long[] offsets, ReceivingBlock block, int normal, int pages, CRC32C crc) {
        MemorySegment memory = block.memory();
        long size = memory.byteSize();
        for (int k = normal; k < pages; k++) {
            long offset = offsets[k];
            boolean seen = block.received().testAndSet(offset / MigrationProtocol.PAGE_SIZE);
            if (seen || !block.knownZero()) {
                MemorySegment page = memory.asSlice(offset, Pages.length(offset, size));
                if (!Pages.isZero(page)) {
                    page.fill((byte) 0);
                }
            }
            if (block.digest() != null) {
                block.digest().pages().recordZero(crc, offset / MigrationProtocol.PAGE_SIZE);
                block.digest().changed(offset / MigrationProtocol.PAGE_SIZE, 1);
            }
        }
    }

    /** Bytes of the staging buffer: a piece of a run read, digested and written to a block's file in one go. */
    static final int STAGING = 256 << 10;

    private final long[] offsets = new long[MigrationProtocol.MAX_PAGES_PER_PACKET];
    private final PayloadDigest digest;
    /** The staging buffer and two views of it (the digest moves one's position, the write the other's). */
    private MemorySegment staging;
    private ByteBuffer digestView;
    private ByteBuffer writeView;

    private long readRun(MemorySegment run, PacketHeader header, long doneBefore, long payload) throws IOException {
        long done = 0;
        long size = run.byteSize();
        while (done < size) {
            long n;
            try {
                // A new array per read, not one kept in a field: C2 traps on the first store into a MemorySegment[]
                // it did not allocate, and throws this compiled packet path away (IOChannel.remainder says why).
                n = channel.readv(new MemorySegment[] {run.asSlice(done)}, 0, 1);
            } catch (IOException e) {
                throw new PacketIOException(header.where(id) + ": reading the payload failed after "
                        + (doneBefore + done) + " of " + payload + " bytes: " + e.getMessage(), e);
            }
            if (n < 0) {
                throw new PacketIOException(header.where(id) + ": connection closed in the payload after "
                        + (doneBefore + done) + " of " + payload + " bytes", new EOFException("end of stream"));
            }
            done += n;
            progressNanos = System.nanoTime();
            // The bytes just read are in this CPU's cache now: digest them before they leave it.
            digest.advance(doneBefore + done);
        }
        return doneBefore + done;
    }
}
