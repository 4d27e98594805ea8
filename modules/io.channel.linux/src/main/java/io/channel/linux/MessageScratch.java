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
 * The channel holds its write lock, or its read lock, while it fills and uses one. It points at native segments
 * only: the channel moves heap segments with critical {@code send}/{@code recv} calls of their own.
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
     * {@return how many segments of the range, from its first, are native: the ones a {@code msghdr} can point at}
     * A heap segment never goes into an {@code iovec}: the array may move, and only a critical downcall's own
     * arguments may be heap memory ({@link LinuxChannel} sends and receives those with {@code send}/{@code recv}).
     *
     * @param iov    the segments
     * @param offset the first
     * @param length how many
     */
    static int nativePrefix(MemorySegment[] iov, int offset, int length) {
        int count = 0;
        while (count < length && iov[offset + count].isNative()) {
            count++;
        }
        return count;
    }

    /**
     * Points the iovecs at the first {@code IOV_MAX} segments of the range (a partial call is fine: the caller
     * loops) and sets {@code msg_iovlen}; the other fields stay zero ({@code recvmsg} writes only
     * {@code msg_flags} back, and {@code msg_controllen} and {@code msg_namelen}, to 0, with no control or name
     * buffer).
     *
     * @param iov    native segments ({@link #nativePrefix})
     * @param offset the first
     * @param length how many
     * @return this
     * @throws IllegalArgumentException if one of them is a heap segment
     */
    MessageScratch fill(MemorySegment[] iov, int offset, int length) {
        int used = Math.min(length, socket_h.IOV_MAX());
        long total = 0;
        for (int i = 0; i < used; i++) {
            MemorySegment segment = iov[offset + i];
            long entry = i * IOVEC_BYTES;
            // Storing a heap segment as an address throws IllegalArgumentException: it has none.
            vector.set(BASE_LAYOUT, entry + BASE, segment);
            vector.set(LENGTH_LAYOUT, entry + LENGTH, segment.byteSize());
            total += segment.byteSize();
        }
        msghdr.msg_iovlen(message, used);
        msghdr.msg_flags(message, 0);
        bytes = total;
        return this;
    }

    /** {@return the {@code msghdr}} */
    MemorySegment message() {
        return message;
    }

    /** {@return the bytes the last {@link #fill} covers} */
    long bytes() {
        return bytes;
    }
}
