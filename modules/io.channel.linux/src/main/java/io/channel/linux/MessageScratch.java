package io.channel.linux;

import io.channel.linux.internal.gen.iovec;
import io.channel.linux.internal.gen.msghdr;
import io.channel.linux.internal.gen.socket_h;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One {@code struct msghdr} and its {@code iovec} array ({@code sys/socket.h}, {@code bits/types/struct_iovec.h}) in
 * native memory, filled anew for each {@code sendmsg} or {@code recvmsg} of one direction of a {@link LinuxChannel}.
 * The channel holds its write lock, or its read lock, while it fills and uses one. Heap segments get native copies
 * from a confined arena of the call's own; the message itself is always this one.
 *
 * <p>Why not a confined arena per call for the message too: a migration makes thousands of calls per GiB, and
 * each arena costs a {@code malloc}, zeroing and {@code free} and a dozen foreign-memory methods (arena, session,
 * layout and slice) that the JIT compiles before the per-packet path is cheap. A one-shot migration runs much of
 * its transfer before C2 has compiled it all, and its compiler threads share the CPUs with the transfer.
 *
 * <p>The memory comes from an automatic arena: the garbage collector frees it once the channel, and so every
 * thread that could still be inside a system call with it, is gone. {@link LinuxChannel#close()} cannot free it
 * under a writer.
 */
final class MessageScratch {

    private static final long IOVEC_BYTES = iovec.sizeof();
    private static final long BASE = iovec.iov_base$offset();
    private static final long LENGTH = iovec.iov_len$offset();
    private static final AddressLayout BASE_LAYOUT = iovec.iov_base$layout();
    private static final ValueLayout.OfLong LENGTH_LAYOUT = iovec.iov_len$layout();

    private final MemorySegment message;
    private final MemorySegment vector;
    private int count;
    private long bytes;

    /** Allocates a {@code msghdr} with room for {@code IOV_MAX} iovecs, all zero but {@code msg_iov}. */
    MessageScratch() {
        Arena arena = Arena.ofAuto();
        // IMPORTANT: IOV_MAX (limits.h) is the kernel's UIO_MAXIOV; more iovecs fail with EMSGSIZE.
        vector = iovec.allocateArray(socket_h.IOV_MAX(), arena);
        message = msghdr.allocate(arena);
        msghdr.msg_iov(message, vector);
    }

    /**
     * {@return whether every segment of the range is native, so that the kernel can use it in place}
     *
     * @param iov    the segments
     * @param offset the first
     * @param length how many
     */
    static boolean allNative(MemorySegment[] iov, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (!iov[i].isNative()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Points the iovecs at the first {@code IOV_MAX} segments of the range (a partial call is fine: the caller
     * loops) and sets {@code msg_iovlen}; the other fields stay zero ({@code recvmsg} writes only
     * {@code msg_flags} back, and {@code msg_controllen} and {@code msg_namelen}, to 0, with no control or name
     * buffer).
     *
     * @param iov    native segments
     * @param offset the first
     * @param length how many
     * @return this
     */
    MessageScratch fill(MemorySegment[] iov, int offset, int length) {
        return fill(iov, offset, length, null, null);
    }

    /**
     * Like {@link #fill(MemorySegment[], int, int)}, with heap segments among them (never with zero-copy: the base
     * class refuses those): each goes through native memory from {@code heapCopies}, at most
     * {@value LinuxChannel#HEAP_SCRATCH_BYTES} bytes per call in all (the iovecs end where that runs out). For a
     * write ({@code heapTargets == null}) the heap bytes are copied in; for a read, {@code heapTargets[i]} is set to
     * the heap segment that iovec {@code i}'s bytes are to be copied back into ({@link LinuxChannel}'s
     * {@code copyBack}).
     *
     * @param iov         the segments
     * @param offset      the first
     * @param length      how many
     * @param heapCopies  where the native copies of heap segments go; {@code null} when all are native
     * @param heapTargets for reads: per iovec, the heap segment to copy back into (or null); {@code null} for writes
     * @return this
     */
    MessageScratch fill(MemorySegment[] iov, int offset, int length, Arena heapCopies, MemorySegment[] heapTargets) {
        int count = Math.min(length, socket_h.IOV_MAX());
        long heapLeft = LinuxChannel.HEAP_SCRATCH_BYTES;
        int used = 0;
        long total = 0;
        for (int i = 0; i < count; i++) {
            MemorySegment segment = iov[offset + i];
            MemorySegment base = segment;
            long size = segment.byteSize();
            if (!segment.isNative()) {
                if (heapLeft == 0) {
                    break;
                }
                size = Math.min(size, heapLeft);
                heapLeft -= size;
                base = heapCopies.allocate(Math.max(size, 1));
                if (heapTargets == null) {
                    MemorySegment.copy(segment, 0, base, 0, size);
                } else {
                    heapTargets[i] = segment.asSlice(0, size);
                }
            }
            long entry = i * IOVEC_BYTES;
            vector.set(BASE_LAYOUT, entry + BASE, base);
            vector.set(LENGTH_LAYOUT, entry + LENGTH, size);
            used++;
            total += size;
            if (size < segment.byteSize()) {
                break;
            }
        }
        msghdr.msg_iovlen(message, used);
        msghdr.msg_flags(message, 0);
        this.count = used;
        bytes = total;
        return this;
    }

    /** {@return the {@code msghdr}} */
    MemorySegment message() {
        return message;
    }

    /** {@return the {@code iovec} array} */
    MemorySegment vector() {
        return vector;
    }

    /** {@return the iovecs the last {@link #fill} set} */
    int count() {
        return count;
    }

    /** {@return the bytes the last {@link #fill} covers} */
    long bytes() {
        return bytes;
    }
}
