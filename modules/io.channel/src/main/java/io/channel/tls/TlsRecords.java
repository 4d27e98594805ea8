package io.channel.tls;

import io.channel.Feature;
import io.channel.IOChannel;
import io.channel.ShutdownDirection;
import io.channel.tls.TlsHandshakeException.Reason;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * The record layer of a {@link TlsChannel}: the buffers that TLS records are sealed into and opened from, and the
 * moves between them, the caller's segments and the raw channel. {@link TlsHandshake} drives the same buffers
 * through the handshake; after it, {@link #write} and {@link #read} are the channel's data path.
 *
 * <p>A write seals up to one batch of full records (16 of 16 KiB) straight from the caller's segments and sends
 * the batch in one raw write. A read opens the records already received straight into the caller's segments; the
 * plaintext of a record that reaches past them goes on into {@link #appIn}, from which later reads copy. One thread
 * may write while another reads: everything that sends holds {@link #writeLock}; the receiving buffers belong to
 * the reading thread.
 *
 * <p>No copy here is one a measurement did not ask for ({@code docs/design/tls.md} has them): the engine copies
 * the plaintext once each way between the caller's segments and a record (it seals and opens records in place),
 * and a raw channel without {@link Feature#HEAP_IN_PLACE} adds one copy each way between the record buffers and
 * native memory, which its socket needs anyway. Staging the caller's pages through a heap array first only adds a
 * copy: the engine reads and writes native memory as fast as heap memory.
 */
final class TlsRecords {

    /** Records per batch in each direction: one raw write or read moves up to this many. */
    private static final int RECORDS_PER_BATCH = 16;
    /** The most plaintext one record carries (RFC 8446 section 5.1: 2^14 bytes). */
    private static final int MAX_RECORD_PLAINTEXT = 1 << 14;
    static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    final IOChannel raw;
    final SSLEngine engine;
    /** The peer, for messages: {@code "server 10.0.0.2:4444"}. */
    final String peer;
    final int packetSize;
    // Heap buffers on purpose: the JDK's AES-GCM seals and opens records in place, and it is much slower on
    // direct buffers, which it moves through small temporary arrays; that outweighs one copy between heap and
    // native memory (Netty makes the same choice for the JDK's engine; docs/design/tls.md has the measurements).
    // A raw channel with Feature.HEAP_IN_PLACE (the Linux provider: critical send/recv downcalls) is handed these
    // buffers as they are, and the kernel copies straight between them and the socket. Any other raw channel gets
    // native copies made here, in buffers of this channel's own (wireOut, wireIn): the JDK's SocketChannel copies a
    // heap buffer through a temporary direct one anyway, and a provider could allocate such scratch per call.
    //
    // Every copy between these heap buffers and native memory goes through the array forms of
    // MemorySegment.copy, never the segment-to-segment form: below 64 bytes that one copies element by element
    // through Unsafe accessors whose profile the whole process shares (a provider reading its pollfd and iovec
    // structs makes it see only native memory), and C2 speculates on that profile. A short copy from a heap
    // segment at the start or end of every connection then failed the speculation and threw away the compiled
    // read and write paths, with the receiver's packet loop that inlines them, in every migration (JDK 25;
    // docs/design/jit-and-startup.md). Nothing here hands the data path a heap segment of its own for the same
    // reason: the handshake moves whole records only.
    /** Ciphertext to send; touched only under {@link #writeLock}. */
    final ByteBuffer netOut;
    /**
     * What the raw channel is handed: {@link #netOut}'s array itself when it takes heap memory in place,
     * otherwise native memory of this channel's own that {@link #netOut} is copied into; under {@link #writeLock}.
     */
    private final MemorySegment wireOut;
    /** Ciphertext received; {@code [position, limit)} is not yet decrypted. Reader thread only. */
    final ByteBuffer netIn;
    /**
     * What the raw channel reads into: {@link #netIn}'s array itself when it takes heap memory in place,
     * otherwise native memory whose bytes are then copied into {@link #netIn}. Reader thread only.
     */
    private final MemorySegment wireIn;
    /** Whether {@link #wireOut} and {@link #wireIn} are the record buffers' own arrays (no copy to make). */
    private final boolean wireIsHeap;
    /**
     * Plaintext of a record that reached past the caller's segments, and of the handshake's records;
     * {@code [position, limit)} is unread. A read hands it to the engine after the caller's segments, so that the
     * engine never refuses a record for want of room (it asks for room for the record's inner content type too).
     */
    final ByteBuffer appIn;
    /** Serializes everything that sends: writes, handshake messages, alerts. */
    final ReentrantLock writeLock = new ReentrantLock();
    private final LongAdder written = new LongAdder();
    private final LongAdder read = new LongAdder();
    /** Until the handshake ends its loop answers the engine's messages; afterwards a reader may (KeyUpdate). */
    private volatile boolean handshaking = true;
    private volatile boolean readShutdown;
    /** Whether {@code close_notify} was sent; under {@link #writeLock}. */
    private boolean outputClosed;

    TlsRecords(IOChannel raw, SSLEngine engine, String peer) {
        this.raw = raw;
        this.engine = engine;
        this.peer = peer;
        SSLSession initial = engine.getSession();
        this.packetSize = initial.getPacketBufferSize();
        this.netOut = ByteBuffer.allocate(packetSize * RECORDS_PER_BATCH);
        this.netIn = ByteBuffer.allocate(packetSize * RECORDS_PER_BATCH);
        // An automatic arena: a reader may still be inside the raw channel's read when close() returns, so
        // the memory must outlive close(); it goes when this channel is unreachable.
        Arena wire = Arena.ofAuto();
        this.wireIsHeap = raw.features().contains(Feature.HEAP_IN_PLACE);
        this.wireOut = wireIsHeap ? MemorySegment.ofArray(netOut.array()) : wire.allocate(netOut.capacity());
        this.wireIn = wireIsHeap ? MemorySegment.ofArray(netIn.array()) : wire.allocate(netIn.capacity());
        this.netIn.limit(0);
        // IMPORTANT: as large as a whole record, not just its plaintext: the engine refuses (BUFFER_OVERFLOW) a
        // buffer smaller than its estimate of the plaintext, which is the record's length less the header only.
        this.appIn = ByteBuffer.allocate(Math.max(initial.getApplicationBufferSize(), packetSize));
        this.appIn.limit(0);
    }

    /** The handshake is over: from now on a reader answers the engine's post-handshake messages itself. */
    void handshakeDone() {
        handshaking = false;
    }

    /** {@return the plaintext bytes written so far} */
    long bytesWritten() {
        return written.sum();
    }

    /** {@return the plaintext bytes read so far} */
    long bytesRead() {
        return read.sum();
    }

    /** Encrypts and sends up to one batch of records from the caller's segments; {@return the plaintext sent} */
    long write(MemorySegment[] iov, int offset, int length) throws IOException {
        writeLock.lock();
        try {
            if (outputClosed) {
                throw new ClosedChannelException();
            }
            // Whole batches of full records: a batch never ends in a short record that the caller's next write
            // would have filled.
            ByteBuffer[] sources = buffers(iov, offset, length, (long) RECORDS_PER_BATCH * MAX_RECORD_PLAINTEXT,
                    null);
            netOut.clear();
            long consumed = 0;
            int first = 0;
            while (first < sources.length && netOut.remaining() >= packetSize) {
                SSLEngineResult result = engine.wrap(sources, first, sources.length - first, netOut);
                if (result.getStatus() == Status.CLOSED) {
                    throw new SSLException("TLS output to the " + peer + " is closed");
                }
                consumed += result.bytesConsumed();
                if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                    runTasks();
                }
                while (first < sources.length && !sources[first].hasRemaining()) {
                    first++;
                }
            }
            wrapHandshakeMessages();
            sendNetOut();
            written.add(consumed);
            return consumed;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Decrypts into the caller's segments what the records already received hold, receiving more only when
     * there is none; {@return the plaintext bytes read, or -1 at the end of the stream}
     */
    long read(MemorySegment[] iov, int offset, int length) throws IOException {
        if (appIn.hasRemaining()) {
            return copyOutPlaintext(iov, offset, length);
        }
        // The caller's segments, then appIn for what a record holds beyond them.
        ByteBuffer[] targets = buffers(iov, offset, length, netIn.capacity(), appIn);
        long wanted = 0;
        for (int i = 0; i < targets.length - 1; i++) {
            wanted += targets[i].remaining();
        }
        if (wanted == 0) {
            return 0;
        }
        appIn.clear();
        long produced = 0;
        try {
            while (true) {
                if (netIn.hasRemaining()) {
                    SSLEngineResult result = engine.unwrap(netIn, targets, 0, targets.length);
                    produced += result.bytesProduced();
                    afterUnwrap(result);
                    Status status = result.getStatus();
                    if (status == Status.CLOSED) {
                        // The peer's close_notify: end of stream after what it sent before.
                        return produced > 0 ? delivered(produced, wanted) : -1;
                    }
                    if (status == Status.BUFFER_OVERFLOW) {
                        throw new IllegalStateException("a TLS record does not fit the " + appIn.capacity()
                                + "-byte plaintext buffer (packet size " + packetSize + ")");
                    }
                    if (produced >= wanted || produced > 0 && status == Status.BUFFER_UNDERFLOW) {
                        return delivered(produced, wanted);
                    }
                    if (status == Status.OK) {
                        continue;
                    }
                    // BUFFER_UNDERFLOW with nothing read yet: the next record is not complete, receive below.
                } else if (produced > 0) {
                    return delivered(produced, wanted);
                }
                if (receive() < 0) {
                    if (readShutdown || engine.isInboundDone()) {
                        return -1;
                    }
                    throw new EOFException("the " + peer + " closed the connection without a TLS close_notify"
                            + " alert: what it sent may have been cut short");
                }
            }
        } finally {
            // What went past the caller's segments, if anything, is appIn's unread plaintext.
            appIn.flip();
        }
    }

    /** {@return the bytes of {@code produced} that went into the caller's segments (the rest is in appIn)} */
    private long delivered(long produced, long wanted) {
        long mine = Math.min(produced, wanted);
        read.add(mine);
        return mine;
    }

    /**
     * {@return what a read reports for an exception of the engine's} A fatal alert the peer sent is put in words;
     * a server's alert before any application data is its refusal of this side's certificate, since in TLS 1.3 a
     * server checks the client's certificate only after the client's side of the handshake is complete (RFC 8446
     * section 4.4.2.4), so a client learns of the refusal from its first read.
     * @param failure what the engine threw during a read
     * @param client  whether this side is the client
     */
    IOException readFailure(SSLException failure, boolean client) {
        TlsAlert alert = TlsAlert.received(failure);
        if (alert == null) {
            return failure;
        }
        if (client && read.sum() == 0) {
            return new TlsHandshakeException(Reason.REFUSED_BY_PEER, "the " + peer + " refused this side's"
                    + " certificate (" + alert + ")", failure);
        }
        return new SSLException("the " + peer + " ended the TLS connection with a fatal " + alert, failure);
    }

    /** Handles what the engine wants after an unwrap: its delegated tasks, or a message to send (KeyUpdate). */
    private void afterUnwrap(SSLEngineResult result) throws IOException {
        HandshakeStatus status = result.getHandshakeStatus();
        if (status == HandshakeStatus.NEED_TASK) {
            runTasks();
            status = engine.getHandshakeStatus();
        }
        // A writer holding the lock sends the message with its own records (wrap puts it first); never wait
        // for the lock here, as a writer blocked on a full socket could wait on this reader's peer.
        if (status == HandshakeStatus.NEED_WRAP && !handshaking && writeLock.tryLock()) {
            try {
                netOut.clear();
                wrapHandshakeMessages();
                sendNetOut();
            } finally {
                writeLock.unlock();
            }
        }
    }

    /** Appends pending post-handshake messages to {@link #netOut}; under {@link #writeLock}. */
    private void wrapHandshakeMessages() throws SSLException {
        while (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP && netOut.remaining() >= packetSize) {
            SSLEngineResult result = engine.wrap(EMPTY, netOut);
            if (result.bytesProduced() == 0) {
                return;
            }
        }
    }

    private long copyOutPlaintext(MemorySegment[] iov, int offset, int length) {
        long copied = 0;
        for (int i = offset; i < offset + length && appIn.hasRemaining(); i++) {
            long n = Math.min(iov[i].byteSize(), appIn.remaining());
            MemorySegment.copy(appIn.array(), appIn.arrayOffset() + appIn.position(), iov[i], ValueLayout.JAVA_BYTE,
                    0, (int) n);
            appIn.position(appIn.position() + (int) n);
            copied += n;
        }
        read.add(copied);
        return copied;
    }

    /**
     * Writes all of {@code netOut[0, position)} to the underlying channel; under {@link #writeLock}, or during
     * the handshake, when no other thread has the channel yet.
     */
    void sendNetOut() throws IOException {
        int length = netOut.position();
        if (length > 0) {
            if (!wireIsHeap) {
                MemorySegment.copy(netOut.array(), 0, wireOut, ValueLayout.JAVA_BYTE, 0, length);
            }
            raw.writeAll(wireOut.asSlice(0, length));
        }
        netOut.clear();
    }

    /**
     * Reads more ciphertext after what {@link #netIn} holds. What is left (at most a partial record, as this
     * is called only when the engine needs more) first moves to the front, so that every read may fill the
     * whole buffer rather than the sliver after the last record.
     *
     * @return bytes read, or {@code -1} at end of stream
     */
    long receive() throws IOException {
        if (netIn.position() > 0) {
            netIn.compact();
            netIn.flip();
        }
        int end = netIn.limit();
        // On the heap, the raw channel reads after what netIn holds; in native memory, into the front of wireIn.
        // A new array per read, not one kept in a field: C2 traps on the first store into a MemorySegment[] it
        // did not allocate (IOChannel.remainder says why).
        long n = raw.readv(new MemorySegment[] {wireIn.asSlice(wireIsHeap ? end : 0, netIn.capacity() - end)},
                0, 1);
        if (n > 0) {
            if (!wireIsHeap) {
                MemorySegment.copy(wireIn, ValueLayout.JAVA_BYTE, 0, netIn.array(), end, (int) n);
            }
            netIn.limit(end + (int) n);
        }
        return n;
    }

    /** Runs the engine's delegated tasks (certificate checks, key derivation) on this thread. */
    void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    /**
     * Views the caller's segments as byte buffers, up to {@code limit} bytes in all: a write or read never moves
     * more than one batch, so there is no point making more views. Stored only into arrays made here (see
     * {@code IOChannel.remainder} on C2 and stores into arrays of another method).
     *
     * @param after a buffer of this channel's own to put after the views, or {@code null}
     */
    private static ByteBuffer[] buffers(MemorySegment[] iov, int offset, int length, long limit, ByteBuffer after) {
        int spare = after == null ? 0 : 1;
        ByteBuffer[] buffers = new ByteBuffer[Math.min(length, 64) + spare];
        long total = 0;
        int count = 0;
        for (int i = offset; i < offset + length && total < limit; i++) {
            if (count == buffers.length - spare) {
                buffers = Arrays.copyOf(buffers, Math.min(length, count * 2) + spare);
            }
            MemorySegment segment = iov[i];
            long size = Math.min(segment.byteSize(), limit - total);
            buffers[count++] = (size == segment.byteSize() ? segment : segment.asSlice(0, size)).asByteBuffer();
            total += size;
        }
        if (count + spare != buffers.length) {
            buffers = Arrays.copyOf(buffers, count + spare);
        }
        if (after != null) {
            buffers[count] = after;
        }
        return buffers;
    }

    /** Shuts a direction down: {@code close_notify} first for the write side; reading ends at once. */
    void shutdown(ShutdownDirection direction) throws IOException {
        switch (direction) {
            case READ -> {
                readShutdown = true;
                raw.shutdown(ShutdownDirection.READ);
            }
            case WRITE -> {
                writeLock.lock();
                try {
                    closeOutput();
                } finally {
                    writeLock.unlock();
                }
                raw.shutdown(ShutdownDirection.WRITE);
            }
            case BOTH -> {
                // Wakes blocked threads at once; a close_notify could itself block.
                readShutdown = true;
                raw.shutdown(ShutdownDirection.BOTH);
            }
        }
    }

    /** Sends {@code close_notify} once; under {@link #writeLock}. */
    void closeOutput() throws IOException {
        if (outputClosed) {
            return;
        }
        outputClosed = true;
        engine.closeOutbound();
        netOut.clear();
        while (!engine.isOutboundDone() && netOut.remaining() >= packetSize) {
            if (engine.wrap(EMPTY, netOut).bytesProduced() == 0) {
                break;
            }
        }
        sendNetOut();
    }
}
