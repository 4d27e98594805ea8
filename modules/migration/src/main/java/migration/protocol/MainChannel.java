package migration.protocol;

import io.channel.IOChannel;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Frames on the main channel. Writes may come from several threads and are serialized by a lock; reads come
 * from one thread at a time. Scratch memory is native and per call (a confined arena), since providers may
 * need native memory.
 */
public final class MainChannel {

    private final IOChannel channel;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final LongAdder bytesWritten = new LongAdder();
    private final LongAdder bytesRead = new LongAdder();
    private volatile long lastReadNanos = System.nanoTime();

    /**
     * Wraps a connected channel.
     *
     * @param channel the main channel
     */
    public MainChannel(IOChannel channel) {
        this.channel = channel;
    }

    /** {@return the underlying channel} */
    public IOChannel channel() {
        return channel;
    }

    /** {@return bytes written on this channel so far} */
    public long bytesWritten() {
        return bytesWritten.sum();
    }

    /** {@return bytes read on this channel so far} */
    public long bytesRead() {
        return bytesRead.sum();
    }

    /** {@return {@link System#nanoTime()} when the last complete frame arrived} */
    public long lastReadNanos() {
        return lastReadNanos;
    }

    /**
     * Writes the main channel preamble (magic and version).
     *
     * @throws IOException on any I/O error
     */
    public void writePreamble() throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(Wire.PREAMBLE_SIZE);
            out.set(Wire.INT, 0, Wire.MAIN_MAGIC);
            out.set(Wire.INT, 4, Wire.VERSION);
            write(out);
        }
    }

    /**
     * Sends a frame, waiting for other writers.
     *
     * @param frame the frame
     * @throws IOException on any I/O error
     */
    public void send(Frame frame) throws IOException {
        writeLock.lock();
        try {
            writeFrame(frame);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Sends a frame unless another writer holds the channel for longer than {@code millis}.
     *
     * @param frame  the frame
     * @param millis how long to wait for other writers
     * @return whether the frame was sent
     * @throws IOException on any I/O error
     */
    public boolean trySend(Frame frame, long millis) throws IOException {
        boolean locked;
        try {
            locked = writeLock.tryLock(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (!locked) {
            return false;
        }
        try {
            writeFrame(frame);
            return true;
        } finally {
            writeLock.unlock();
        }
    }

    private void writeFrame(Frame frame) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(Wire.FRAME_HEADER_SIZE + frame.body().length);
            out.set(Wire.SHORT, 0, (short) frame.type().code());
            out.set(Wire.SHORT, 2, (short) 0);
            out.set(Wire.INT, 4, frame.body().length);
            MemorySegment.copy(frame.body(), 0, out, ValueLayout.JAVA_BYTE, Wire.FRAME_HEADER_SIZE,
                    frame.body().length);
            write(out);
        }
    }

    private void write(MemorySegment out) throws IOException {
        channel.writeAll(out);
        bytesWritten.add(out.byteSize());
    }

    /**
     * Reads the next frame.
     *
     * @param side who sent it, for messages ("the source")
     * @return the frame, or {@code null} if the peer closed the channel between frames
     * @throws ProtocolException if the frame type is unknown or the length too large
     * @throws IOException       on any I/O error, including a frame cut short
     */
    public Frame read(String side) throws IOException {
        Frame frame = read(channel, "main channel", side, Wire.MAX_FRAME_BODY);
        if (frame != null) {
            bytesRead.add(Wire.FRAME_HEADER_SIZE + (long) frame.body().length);
            lastReadNanos = System.nanoTime();
        }
        return frame;
    }

    /**
     * Reads one frame from any channel: the main channel's, or the one frame that precedes everything on a TLS
     * connection ({@link Admission}).
     *
     * @param channel the channel
     * @param where   where the frame is read, as messages start ("main channel")
     * @param side    who sent it, for messages ("the source")
     * @param maxBody the longest body accepted; a longer one is refused before it is read
     * @return the frame, or {@code null} if the peer closed the channel between frames
     * @throws ProtocolException if the frame type is unknown or the length too large
     * @throws IOException       on any I/O error, including a frame cut short
     */
    static Frame read(IOChannel channel, String where, String side, int maxBody) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = arena.allocate(Wire.FRAME_HEADER_SIZE);
            if (!Wire.readOrEnd(channel, header, "a " + where + " frame header")) {
                return null;
            }
            int code = Short.toUnsignedInt(header.get(Wire.SHORT, 0));
            int reserved = Short.toUnsignedInt(header.get(Wire.SHORT, 2));
            int length = header.get(Wire.INT, 4);
            FrameType type = FrameType.of(code);
            if (type == null) {
                throw new ProtocolException(where + ": unknown frame type " + code + " from " + side);
            }
            if (reserved != 0) {
                throw new ProtocolException(where + ", " + type + ": reserved field " + reserved + " is not zero");
            }
            if (length < 0 || length > maxBody) {
                throw new ProtocolException(where + ", " + type + ": body length " + Integer.toUnsignedString(length)
                        + " exceeds " + maxBody);
            }
            MemorySegment body = arena.allocate(Math.max(1, length)).asSlice(0, length);
            Wire.readFully(channel, body, "the body of a " + type + " frame");
            return new Frame(type, body.toArray(ValueLayout.JAVA_BYTE));
        }
    }
}
