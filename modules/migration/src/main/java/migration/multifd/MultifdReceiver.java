package migration.multifd;

import io.channel.IOChannel;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.zip.CRC32C;
import migration.MigrationProtocol;
import migration.protocol.ProtocolException;
import migration.protocol.Wire;

/**
 * The receiving side of one multifd channel, run on its own platform thread.
 *
 * <p>For each packet it reads the fixed header and validates every field, then reads the page offsets and
 * validates each one (page-aligned, inside the block, the short last page respected), and only then reads the
 * payload straight into the block's memory, contiguous pages in one read. Nothing is ever written outside a
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
        this.barrier = barrier;
        this.counters = counters;
        this.channelCounters = channelCounters;
        this.host = host;
    }

    /** {@return data packets received so far (SYNC not counted)} */
    public long dataPackets() {
        return dataPackets;
    }

    @Override
    public void run() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = arena.allocate(Wire.MAX_PACKET_HEADER_SIZE, 8);
            MemorySegment fixedHeader = header.asSlice(0, Wire.PACKET_FIXED_SIZE);
            CRC32C crc = new CRC32C();
            while (!host.stopping()) {
                if (!receivePacket(header, fixedHeader, crc)) {
                    return;
                }
            }
        } catch (ProtocolException e) {
            host.failed(id, e.getMessage(), e, false);
        } catch (IOException e) {
            String where = "multifd channel " + id + ", " + (lastPacket == 0 ? "before the first packet"
                    : "after packet " + lastPacket);
            host.failed(id, e.getMessage() != null && e.getMessage().startsWith("multifd channel") ? e.getMessage()
                    : where + ": " + e.getMessage(), e, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            host.failed(id, "multifd channel " + id + ": interrupted", e, false);
        } catch (RuntimeException e) {
            host.failed(id, "multifd channel " + id + ", packet " + lastPacket + ": " + e, e, false);
        } catch (InternalError e) {
            // What the JVM raises when a write into a mapped file faults (SIGBUS): the file system under a
            // file-backed block ran out of space, or the file was truncated. Fail the migration, never hang it.
            host.failed(id, "multifd channel " + id + ", packet " + lastPacket + ": writing into the destination"
                    + " memory faulted (a full file system or a truncated file under a mapped block?): " + e,
                    new IOException("memory fault", e), false);
        }
    }

    /**
     * Reads and applies one packet; returns false when the channel is done (the last round ended, or the
     * migration is stopping). The loop that calls it runs once per packet and so stays interpreted for a long
     * time (HotSpot compiles a loop on its own only after tens of thousands of iterations): the work lives here,
     * in a method that is compiled after a few thousand packets.
     */
    private boolean receivePacket(MemorySegment header, MemorySegment fixedHeader, CRC32C crc)
            throws IOException, InterruptedException {
        if (!Wire.readOrEnd(channel, fixedHeader, "the packet header")) {
            throw new EOFException("the source closed the channel");
        }
        host.alive();
        int magic = header.get(Wire.INT, 0);
        if (magic != Wire.MULTIFD_MAGIC) {
            throw new ProtocolException("multifd channel " + id + ", "
                    + (lastPacket == 0 ? "first packet" : "packet after " + lastPacket)
                    + ": received packet magic " + Wire.hex(magic & 0xffffffffL)
                    + ", expected " + Wire.hex(Wire.MULTIFD_MAGIC));
        }
        long number = header.get(Wire.LONG, 24);
        // Messages are built only on failure: nothing is allocated per packet on the good path.
        Where where = new Where(id, number);
        int version = header.get(Wire.INT, 4);
        if (version != Wire.VERSION) {
            throw new ProtocolException(where + ": received packet version " + version + ", expected "
                    + Wire.VERSION);
        }
        int flags = header.get(Wire.INT, 8);
        if ((flags & ~Wire.KNOWN_FLAGS) != 0) {
            throw new ProtocolException(where + ": unknown flags " + Wire.hex(flags & ~Wire.KNOWN_FLAGS & 0xffffffffL)
                    + " in flags " + Wire.hex(flags & 0xffffffffL) + " (known: " + Wire.hex(Wire.KNOWN_FLAGS) + ")");
        }
        if (number <= lastPacket) {
            throw new ProtocolException(where + ": packet number not above the previous one on this channel ("
                    + lastPacket + ")");
        }
        int block = header.get(Wire.INT, 12);
        int normal = header.get(Wire.INT, 16);
        int zeros = header.get(Wire.INT, 20);
        if ((flags & Wire.FLAG_SYNC) != 0) {
            if (block != 0 || normal != 0 || zeros != 0) {
                throw new ProtocolException(where + ": SYNC packet with block " + block + ", "
                        + Integer.toUnsignedString(normal) + " normal and " + Integer.toUnsignedString(zeros)
                        + " zero pages; a SYNC carries no pages");
            }
            lastPacket = number;
            channelCounters.add(Wire.PACKET_FIXED_SIZE, 1);
            counters.multifdBytes.add(Wire.PACKET_FIXED_SIZE);
            int round = barrier.arrive(id);
            RoundBarrier.Release release = barrier.awaitRelease(round, host::stopping);
            return release != null && release != RoundBarrier.Release.DONE;
        }
        receivePages(header, where, number, block, normal, zeros, crc);
        return true;
    }

    /** "multifd channel N, packet M", for messages; a record so that building it costs nothing on the good path. */
    private record Where(int channel, long packet) {
        @Override
        public String toString() {
            return "multifd channel " + channel + ", packet " + Long.toUnsignedString(packet);
        }
    }

    private void receivePages(MemorySegment header, Where where, long number, int blockIndex, int normal,
                              int zeros, CRC32C crc) throws IOException {
        int capacity = MigrationProtocol.MAX_PAGES_PER_PACKET;
        if (blockIndex < 0 || blockIndex >= blocks.length) {
            throw new ProtocolException(where + ": block index " + Integer.toUnsignedString(blockIndex)
                    + " out of range (the source announced " + blocks.length + " block"
                    + (blocks.length == 1 ? "" : "s") + ")");
        }
        if (normal < 0 || normal > capacity) {
            throw new ProtocolException(where + ": received packet with " + Integer.toUnsignedString(normal)
                    + " non-zero pages, which exceeds maximum expected pages " + capacity);
        }
        if (zeros < 0 || zeros > capacity) {
            throw new ProtocolException(where + ": received packet with " + Integer.toUnsignedString(zeros)
                    + " zero pages, expected maximum " + capacity);
        }
        if (normal + zeros > capacity) {
            throw new ProtocolException(where + ": received packet with " + normal + " non-zero and " + zeros
                    + " zero pages, more than the " + capacity + " a packet holds");
        }
        if (normal + zeros == 0) {
            throw new ProtocolException(where + ": data packet without pages");
        }
        ReceivingBlock block = blocks[blockIndex];
        MemorySegment memory = block.memory();
        long size = memory.byteSize();
        int pages = normal + zeros;
        MemorySegment offsets = header.asSlice(Wire.PACKET_FIXED_SIZE, (long) Wire.OFFSET_SIZE * pages);
        try {
            Wire.readFully(channel, offsets, "the page offsets");
        } catch (EOFException e) {
            throw new EOFException(where + ": " + e.getMessage());
        }
        checkOffsets(offsets, where, block, normal, pages);
        // The whole header is valid: only now is the block's memory touched.
        lastPacket = number;
        long payload = payload(offsets, normal, size);
        long covered = payload + zeroBytes(offsets, normal, pages, size);
        digest.start(block.digests(), memory, offsets, 0, normal);
        applyRuns(offsets, where, block, normal, payload);
        assert digest.complete() : where + " read but not digested";
        applyZeroPages(offsets, block, normal, pages, crc);
        long headerLength = Wire.PACKET_FIXED_SIZE + (long) Wire.OFFSET_SIZE * pages;
        host.alive();
        channelCounters.add(headerLength + payload, 1);
        counters.multifdBytes.add(headerLength + payload);
        counters.normalPages.add(normal);
        counters.duplicatePages.add(zeros);
        counters.normalBytes.add(payload);
        counters.processedBytes.add(covered);
        counters.dataPackets.increment();
        dataPackets++;
    }

    /*
     * The per-packet work is split into small methods on purpose: each compiles quickly and on its own (one
     * large method with the memory-access code inlined took C2 up to 600 ms per compilation, several times over,
     * in the middle of a transfer).
     */

    private static long offsetAt(MemorySegment offsets, int i) {
        return offsets.get(Wire.LONG, (long) Wire.OFFSET_SIZE * i);
    }

    /** Every offset is page-aligned and inside the block. */
    private static void checkOffsets(MemorySegment offsets, Where where, ReceivingBlock block, int normal,
                                     int pages) throws ProtocolException {
        long size = block.memory().byteSize();
        for (int i = 0; i < pages; i++) {
            long offset = offsetAt(offsets, i);
            if (offset < 0 || offset >= size) {
                String kind = i < normal ? "offset" : "zero-page offset";
                throw new ProtocolException(where + ": " + kind + " " + Wire.hex(offset) + " outside block '"
                        + block.name() + "' (size " + Wire.hex(size) + ")");
            }
            if (offset % MigrationProtocol.PAGE_SIZE != 0) {
                String kind = i < normal ? "offset" : "zero-page offset";
                throw new ProtocolException(where + ": " + kind + " " + Wire.hex(offset)
                        + " in block '" + block.name() + "' is not a multiple of the page size "
                        + MigrationProtocol.PAGE_SIZE);
            }
        }
    }

    /** {@return the bytes of the normal pages (a block's last page may be short)} */
    private static long payload(MemorySegment offsets, int normal, long size) {
        long payload = 0;
        for (int i = 0; i < normal; i++) {
            payload += Pages.length(offsetAt(offsets, i), size);
        }
        return payload;
    }

    private static long zeroBytes(MemorySegment offsets, int normal, int pages, long size) {
        long bytes = 0;
        for (int i = normal; i < pages; i++) {
            bytes += Pages.length(offsetAt(offsets, i), size);
        }
        return bytes;
    }

    /** Reads the normal pages straight into the block, each run of contiguous pages with one read loop. */
    private void applyRuns(MemorySegment offsets, Where where, ReceivingBlock block, int normal, long payload)
            throws IOException {
        MemorySegment memory = block.memory();
        long size = memory.byteSize();
        long done = 0;
        int i = 0;
        while (i < normal) {
            long start = offsetAt(offsets, i);
            long end = start + Pages.length(start, size);
            int j = i + 1;
            while (j < normal && offsetAt(offsets, j) == end) {
                end += Pages.length(end, size);
                j++;
            }
            MemorySegment run = memory.asSlice(start, end - start);
            done = readRun(run, where, done, payload);
            markReceived(block.received(), offsets, i, j);
            i = j;
        }
    }

    private static void markReceived(PageBitmap received, MemorySegment offsets, int from, int to) {
        for (int k = from; k < to; k++) {
            received.testAndSet(offsetAt(offsets, k) / MigrationProtocol.PAGE_SIZE);
        }
    }

    /** Zero pages: written only where the memory may not hold zeros already. */
    private static void applyZeroPages(MemorySegment offsets, ReceivingBlock block, int normal, int pages,
                                       CRC32C crc) {
        MemorySegment memory = block.memory();
        long size = memory.byteSize();
        for (int k = normal; k < pages; k++) {
            long offset = offsetAt(offsets, k);
            boolean seen = block.received().testAndSet(offset / MigrationProtocol.PAGE_SIZE);
            if (seen || !block.knownZero()) {
                MemorySegment page = memory.asSlice(offset, Pages.length(offset, size));
                if (!Pages.isZero(page)) {
                    page.fill((byte) 0);
                }
            }
            if (block.digests() != null) {
                block.digests().recordZero(crc, offset / MigrationProtocol.PAGE_SIZE);
            }
        }
    }

    private final MemorySegment[] one = new MemorySegment[1];
    private final PayloadDigest digest = new PayloadDigest();

    private long readRun(MemorySegment run, Where where, long doneBefore, long payload) throws IOException {
        long done = 0;
        long size = run.byteSize();
        while (done < size) {
            one[0] = run.asSlice(done);
            long n;
            try {
                n = channel.readv(one, 0, 1);
            } catch (IOException e) {
                throw new IOException(where + ": reading the payload failed after " + (doneBefore + done) + " of "
                        + payload + " bytes: " + e.getMessage(), e);
            }
            if (n < 0) {
                throw new EOFException(where + ": connection closed in the payload after " + (doneBefore + done)
                        + " of " + payload + " bytes");
            }
            done += n;
            // The bytes just read are in this CPU's cache now: digest them before they leave it.
            digest.advance(doneBefore + done);
        }
        return doneBefore + done;
    }
}
