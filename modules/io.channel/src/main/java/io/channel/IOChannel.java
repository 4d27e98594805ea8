package io.channel;

import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.attribute.UserPrincipal;
import java.util.Optional;
import java.nio.channels.ClosedChannelException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;

/**
 * A connected, blocking, bidirectional byte channel over a stream socket, with vectored I/O on
 * {@link MemorySegment}s, write flags and zero-copy completion tracking, in the manner of QEMU's
 * {@code QIOChannel}.
 *
 * <p>Instances come from a {@link io.channel.spi.ChannelProvider}, normally through
 * {@link ChannelProviders#select()}. The public methods are final: they validate arguments and flags
 * here, once, for every provider (as QEMU's {@code qio_channel_writev_full()} does), and then call the
 * provider's {@code impl*} methods.
 *
 * <h2>Zero-copy and buffer ownership</h2>
 * A write with {@link WriteFlag#ZERO_COPY} hands the segments' pages to the kernel. <strong>Those segments
 * belong to the kernel until a later {@link #flush()} returns</strong> (or the channel is closed, which
 * waits, bounded, for outstanding completions first). Until then the caller must not modify them and must
 * not close the arena that owns them: the kernel may still read the pages, and whatever they then hold is
 * what the peer receives. Never pass a reused scratch buffer (a packet header, say) with the flag.
 *
 * <h2>Threads</h2>
 * One thread may write while another reads. {@link #close()} and {@link #shutdown(ShutdownDirection)} may
 * be called from any thread and wake threads blocked in this channel.
 */
public abstract class IOChannel implements AutoCloseable {

    private final AtomicBoolean closed = new AtomicBoolean();

    /** For providers. */
    protected IOChannel() {
    }

    /** {@return the optional capabilities of this channel} */
    public abstract Set<Feature> features();

    /** {@return the name of the provider that made this channel, for example {@code "copy"} or {@code "linux"}} */
    public abstract String providerName();

    /** {@return the local address of the socket; {@code null} for a Unix domain socket (see {@link #localSocketAddress()})} */
    public abstract InetSocketAddress localAddress();

    /** {@return the address of the peer; {@code null} for a Unix domain socket (see {@link #remoteSocketAddress()})} */
    public abstract InetSocketAddress remoteAddress();

    /**
     * {@return the local address of the socket, of any kind: a {@link java.net.UnixDomainSocketAddress} for a Unix
     * domain socket} By default {@link #localAddress()}.
     */
    public SocketAddress localSocketAddress() {
        return localAddress();
    }

    /**
     * {@return the address of the peer, of any kind} For a Unix domain socket a
     * {@link java.net.UnixDomainSocketAddress}, whose path is empty on the accepting side (the connecting socket has
     * no name, {@code man 7 unix}). By default {@link #remoteAddress()}.
     */
    public SocketAddress remoteSocketAddress() {
        return remoteAddress();
    }

    /**
     * {@return the user of the process at the other end, as the kernel saw it when the connection was made} Known
     * for a Unix domain socket on the same host ({@code SO_PEERCRED}, {@code man 7 unix}); empty for other sockets,
     * whose peer is not known to the kernel. The principal compares equal to the one the file system's
     * {@link java.nio.file.attribute.UserPrincipalLookupService} returns for the same user (by uid).
     *
     * @throws IOException if the kernel cannot tell
     */
    public Optional<UserPrincipal> peerUser() throws IOException {
        return Optional.empty();
    }

    /** {@return a snapshot of this channel's counters} */
    public abstract ChannelStatistics statistics();

    /**
     * {@return why this channel lacks {@link Feature#WRITE_ZERO_COPY}, or {@code null} if it has it}
     * Providers override this to give the real cause (the kernel's answer to {@code SO_ZEROCOPY}, say).
     */
    public String zeroCopyUnavailableReason() {
        return features().contains(Feature.WRITE_ZERO_COPY) ? null
                : "provider '" + providerName() + "' does not implement zero-copy writes";
    }

    /**
     * {@return why some {@link WriteFlag#ZERO_COPY} writes of this channel were sent by copying, or {@code null} if
     * none was} A provider that copies a zero-copy write the kernel refused to pin (Linux: {@code ENOBUFS}, the
     * locked-memory or option-memory limit) counts it in {@link ChannelStatistics#copyFallbacks()} and says here
     * why, naming the limits; with {@link ChannelOptions#strictZeroCopy()} such a write fails instead.
     */
    public String zeroCopyFallbackReason() {
        return null;
    }

    /**
     * Writes from a sequence of segments, in order, as one gathering write.
     *
     * @param iov    the segments to write
     * @param offset index of the first segment to use
     * @param length number of segments to use
     * @param flags  write flags; {@link WriteFlag#ZERO_COPY} requires {@link Feature#WRITE_ZERO_COPY}
     *               and native segments, and transfers their ownership to the kernel until the next
     *               {@link #flush()} returns
     * @return the number of bytes written, which may be less than requested (a partial write)
     * @throws ZeroCopyUnavailableException if zero-copy was asked of a channel or of memory that cannot
     *                                      do it; the message says why
     * @throws ClosedChannelException       if the channel is closed
     * @throws IOException                  on any I/O error
     */
    public final long writev(MemorySegment[] iov, int offset, int length, WriteFlag... flags) throws IOException {
        Objects.checkFromIndexSize(offset, length, iov.length);
        boolean zeroCopy = zeroCopyRequested(iov, offset, length, flags);
        ensureOpen();
        if (length == 0) {
            return 0;
        }
        return implWritev(iov, offset, length, zeroCopy);
    }

    /**
     * Writes from all of {@code iov}; see {@link #writev(MemorySegment[], int, int, WriteFlag...)}.
     *
     * @param iov   the segments to write
     * @param flags write flags
     * @return the number of bytes written, possibly fewer than requested
     * @throws IOException on any I/O error
     */
    public final long writev(MemorySegment[] iov, WriteFlag... flags) throws IOException {
        return writev(iov, 0, iov.length, flags);
    }

    /**
     * Writes every byte of the given segments, looping over partial writes (QEMU's
     * {@code qio_channel_writev_full_all}). With {@link WriteFlag#ZERO_COPY}, each retry of a remainder is a
     * new zero-copy send; the ownership rule of {@link WriteFlag#ZERO_COPY} applies to every segment.
     *
     * @param iov    the segments to write; the array itself is not modified
     * @param offset index of the first segment to use
     * @param length number of segments to use
     * @param flags  write flags
     * @throws IOException on any I/O error; how much was written is then unknown
     */
    public final void writevAll(MemorySegment[] iov, int offset, int length, WriteFlag... flags) throws IOException {
        writevAll(iov, offset, length, NO_PROGRESS, flags);
    }

    private static final LongConsumer NO_PROGRESS = written -> { };

    /**
     * Like {@link #writevAll(MemorySegment[], int, int, WriteFlag...)}, and after each write tells
     * {@code progress} how many bytes have been written so far. A caller can then work on the bytes a copying
     * write has just read, while they are still in this CPU's cache (multifd computes its page digests so).
     *
     * @param iov      the segments to write; the array itself is not modified
     * @param offset   index of the first segment to use
     * @param length   number of segments to use
     * @param progress receives the running total after every write, on the calling thread
     * @param flags    write flags
     * @throws IOException on any I/O error; how much was written is then unknown
     */
    public final void writevAll(MemorySegment[] iov, int offset, int length, LongConsumer progress,
                                WriteFlag... flags) throws IOException {
        Objects.checkFromIndexSize(offset, length, iov.length);
        Objects.requireNonNull(progress, "progress");
        long total = 0;
        MemorySegment[] current = iov;
        int off = offset;
        int len = length;
        // Zero-length segments are skipped without a call.
        while (len > 0 && current[off].byteSize() == 0) {
            off++;
            len--;
        }
        while (len > 0) {
            long written = writev(current, off, len, flags);
            total += written;
            progress.accept(total);
            while (len > 0 && written >= current[off].byteSize()) {
                written -= current[off].byteSize();
                off++;
                len--;
            }
            if (len > 0 && written > 0) {
                current = remainder(current, off, len, written);
                off = 0;
            }
        }
    }

    /**
     * {@return a new array of {@code iov[off, off + len)} whose first segment starts {@code written} bytes later}
     * The caller's array is never modified.
     *
     * <p>A new array for every partial write, not one copy whose first element is replaced: HotSpot's C2 compiles
     * a store into an array it did not allocate in the same compilation with a guess at the array's exact class
     * ({@code -XX:+MonomorphicArrayCheck}), and for an array of an interface type such as {@code MemorySegment[]}
     * that guess can fail: the first run of a newly compiled store then takes an uncommon trap
     * ({@code array_check}) and throws away the compiled method and every caller it is inlined into, in the middle
     * of a transfer. A store into an array allocated right here needs no guess. The segments of the per-packet
     * paths (multifd, {@code TlsChannel}) are put in fresh arrays for the same reason
     * ({@code docs/design/jit-and-startup.md}). The cost is one array of at most {@code len} references per
     * partial write.
     */
    private static MemorySegment[] remainder(MemorySegment[] iov, int off, int len, long written) {
        MemorySegment[] rest = new MemorySegment[len];
        System.arraycopy(iov, off, rest, 0, len);
        rest[0] = rest[0].asSlice(written);
        return rest;
    }

    /**
     * Writes every byte of one segment; see {@link #writevAll(MemorySegment[], int, int, WriteFlag...)}.
     *
     * @param segment the bytes to write
     * @param flags   write flags
     * @throws IOException on any I/O error
     */
    public final void writeAll(MemorySegment segment, WriteFlag... flags) throws IOException {
        writevAll(new MemorySegment[] {segment}, 0, 1, flags);
    }

    /** The most descriptors one message passes (Linux's {@code SCM_MAX_FD}, {@code include/net/scm.h}). */
    public static final int MAX_DESCRIPTORS = 253;

    /**
     * Writes every byte of {@code bytes} with open file descriptors attached to them, for the process at the other
     * end to receive as descriptors of its own ({@code SCM_RIGHTS}, {@code man 7 unix}); this process keeps its own.
     * The peer receives them with the first of these bytes it reads through {@link #readWithDescriptors}.
     *
     * @param bytes       the bytes that carry the descriptors, at least one, native memory
     * @param descriptors the descriptors, 1 to {@value #MAX_DESCRIPTORS}
     * @throws UnsupportedOperationException if the channel lacks {@link Feature#PASS_DESCRIPTORS}, naming its
     *                                       provider
     * @throws IOException                   on any I/O error, among them a descriptor that is not open
     */
    public final void writeWithDescriptors(MemorySegment bytes, int... descriptors) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.byteSize() == 0 || !bytes.isNative()) {
            throw new IllegalArgumentException("descriptors travel with at least one byte of native memory, got "
                    + bytes);
        }
        if (descriptors.length < 1 || descriptors.length > MAX_DESCRIPTORS) {
            throw new IllegalArgumentException("a message passes 1 to " + MAX_DESCRIPTORS + " descriptors, got "
                    + descriptors.length);
        }
        ensureOpen();
        requireDescriptorPassing();
        implWriteWithDescriptors(bytes, descriptors.clone());
    }

    /**
     * Reads exactly {@code bytes.byteSize()} bytes and the descriptors that came with them
     * ({@link #writeWithDescriptors}). The caller owns what {@link ReceivedDescriptors} holds and closes it.
     *
     * @param bytes          where the bytes go, native memory, at least one byte
     * @param maxDescriptors how many descriptors the caller expects at most, 1 to {@value #MAX_DESCRIPTORS}
     * @return the descriptors received with these bytes, perhaps none
     * @throws UnsupportedOperationException if the channel lacks {@link Feature#PASS_DESCRIPTORS}
     * @throws TooManyDescriptorsException   if more descriptors came than {@code maxDescriptors} (the kernel drops
     *                                       what did not fit and says so, {@code MSG_CTRUNC}), with every one
     *                                       received closed
     * @throws IOException                   on any other I/O error; {@link java.io.EOFException} if the peer
     *                                       closed first
     */
    public final ReceivedDescriptors readWithDescriptors(MemorySegment bytes, int maxDescriptors) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.byteSize() == 0 || !bytes.isNative()) {
            throw new IllegalArgumentException("descriptors travel with at least one byte of native memory, got "
                    + bytes);
        }
        if (maxDescriptors < 1 || maxDescriptors > MAX_DESCRIPTORS) {
            throw new IllegalArgumentException("maxDescriptors must be 1 to " + MAX_DESCRIPTORS + ", got "
                    + maxDescriptors);
        }
        ensureOpen();
        requireDescriptorPassing();
        return implReadWithDescriptors(bytes, maxDescriptors);
    }

    private void requireDescriptorPassing() {
        if (!features().contains(Feature.PASS_DESCRIPTORS)) {
            throw new UnsupportedOperationException("channel provider '" + providerName() + "' cannot pass"
                    + " descriptors on this channel (" + remoteSocketAddress() + "): that needs a Unix domain"
                    + " socket of the Linux provider (module io.channel.linux)");
        }
    }

    /**
     * Writes {@code bytes} with {@code descriptors} attached; called only on a channel with
     * {@link Feature#PASS_DESCRIPTORS}. The default throws.
     *
     * @param bytes       at least one byte, native
     * @param descriptors 1 to {@value #MAX_DESCRIPTORS}, a copy the implementation may keep
     * @throws IOException on any I/O error
     */
    protected void implWriteWithDescriptors(MemorySegment bytes, int[] descriptors) throws IOException {
        throw new UnsupportedOperationException(providerName() + " implements no descriptor passing");
    }

    /**
     * Reads exactly {@code bytes} and the descriptors that came with them; called only on a channel with
     * {@link Feature#PASS_DESCRIPTORS}. The default throws.
     *
     * @param bytes          at least one byte, native
     * @param maxDescriptors 1 to {@value #MAX_DESCRIPTORS}
     * @return the descriptors
     * @throws IOException on any I/O error, or more descriptors than {@code maxDescriptors} (all closed)
     */
    protected ReceivedDescriptors implReadWithDescriptors(MemorySegment bytes, int maxDescriptors)
            throws IOException {
        throw new UnsupportedOperationException(providerName() + " implements no descriptor passing");
    }

    /**
     * Reads into a sequence of segments, in order, as one scattering read; blocks until at least one byte
     * arrives or the peer closes.
     *
     * @param iov    the segments to fill
     * @param offset index of the first segment to use
     * @param length number of segments to use
     * @return the number of bytes read, or {@code -1} at end of stream
     * @throws IOException on any I/O error
     */
    public final long readv(MemorySegment[] iov, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, iov.length);
        ensureOpen();
        if (length == 0) {
            return 0;
        }
        return implReadv(iov, offset, length);
    }

    /**
     * Fills the segment completely.
     *
     * @param segment the segment to fill
     * @throws EOFException if the peer closes before the segment is full; the message says how many bytes
     *                      were missing
     * @throws IOException  on any other I/O error
     */
    public final void readFully(MemorySegment segment) throws IOException {
        MemorySegment[] one = {segment};
        long done = 0;
        long size = segment.byteSize();
        while (done < size) {
            one[0] = segment.asSlice(done);
            long n = readv(one, 0, 1);
            if (n < 0) {
                throw new EOFException("end of stream after " + done + " of " + size + " bytes from "
                        + remoteAddress());
            }
            done += n;
        }
    }

    /**
     * Waits until every zero-copy write issued on this channel so far has been completed by the kernel,
     * and says whether the kernel really avoided the copy. After it returns, the segments of those writes
     * belong to the caller again.
     *
     * <p>On a channel that never wrote with {@link WriteFlag#ZERO_COPY} this returns
     * {@link FlushResult#NOTHING_PENDING} at once. It never waits for ever: a dead peer, {@link #close()} or
     * {@link #shutdown(ShutdownDirection)} ends it with an exception.
     *
     * @return what the completions said
     * @throws IOException if a completion reports an error, the error queue cannot be read, or the channel
     *                     is closed while waiting
     */
    public final FlushResult flush() throws IOException {
        ensureOpen();
        return implFlush();
    }

    /**
     * Shuts down one or both directions of the connection, waking threads blocked in them.
     *
     * @param direction what to shut down
     * @throws IOException on any I/O error
     */
    public final void shutdown(ShutdownDirection direction) throws IOException {
        Objects.requireNonNull(direction, "direction");
        ensureOpen();
        implShutdown(direction);
    }

    /** {@return whether {@link #close()} has not been called yet} */
    public final boolean isOpen() {
        return !closed.get();
    }

    /**
     * Closes the channel. The first call closes; later calls do nothing. A provider with zero-copy writes in
     * flight first stops writing and waits, bounded, for their completions, so the kernel never reads memory
     * its owner frees after this returns.
     *
     * @throws IOException if closing the socket failed
     */
    @Override
    public final void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            implClose();
        }
    }

    /**
     * Throws if the channel is closed.
     *
     * @throws ClosedChannelException if {@link #close()} was called
     */
    protected final void ensureOpen() throws ClosedChannelException {
        if (closed.get()) {
            throw new ClosedChannelException();
        }
    }

    /**
     * Performs one gathering write. Arguments are already validated and {@code length > 0}.
     *
     * @param iov      the segments
     * @param offset   first segment
     * @param length   number of segments, at least one
     * @param zeroCopy whether to send without copying (only when the channel has the feature and the
     *                 segments are native)
     * @return bytes written, at least one unless a segment is empty
     * @throws IOException on any I/O error
     */
    protected abstract long implWritev(MemorySegment[] iov, int offset, int length, boolean zeroCopy)
            throws IOException;

    /**
     * Performs one scattering read.
     *
     * @param iov    the segments
     * @param offset first segment
     * @param length number of segments, at least one
     * @return bytes read or {@code -1} at end of stream
     * @throws IOException on any I/O error
     */
    protected abstract long implReadv(MemorySegment[] iov, int offset, int length) throws IOException;

    /**
     * Waits for outstanding zero-copy completions; see {@link #flush()}.
     *
     * @return the outcome
     * @throws IOException on any error
     */
    protected abstract FlushResult implFlush() throws IOException;

    /**
     * Shuts down a direction.
     *
     * @param direction the direction
     * @throws IOException on any I/O error
     */
    protected abstract void implShutdown(ShutdownDirection direction) throws IOException;

    /**
     * Releases the socket; called exactly once.
     *
     * @throws IOException on any I/O error
     */
    protected abstract void implClose() throws IOException;

    private boolean zeroCopyRequested(MemorySegment[] iov, int offset, int length, WriteFlag[] flags) {
        boolean zeroCopy = false;
        for (WriteFlag flag : flags) {
            switch (Objects.requireNonNull(flag, "flag")) {
                case ZERO_COPY -> zeroCopy = true;
            }
        }
        if (!zeroCopy) {
            return false;
        }
        if (!features().contains(Feature.WRITE_ZERO_COPY)) {
            throw new ZeroCopyUnavailableException("Requested zero-copy write on a '" + providerName()
                    + "' channel without the WRITE_ZERO_COPY feature: " + zeroCopyUnavailableReason());
        }
        for (int i = offset; i < offset + length; i++) {
            if (!iov[i].isNative()) {
                throw new ZeroCopyUnavailableException("zero-copy write needs native memory, but segment " + i
                        + " is a heap segment (heap arrays can move); copy it to native memory or write it"
                        + " without ZERO_COPY");
            }
        }
        return true;
    }
}
