package io.channel;

/**
 * Flags for {@link IOChannel#writev(java.lang.foreign.MemorySegment[], int, int, WriteFlag...)}.
 */
public enum WriteFlag {
    /**
     * Ask the kernel to send straight from the caller's pages instead of copying them into socket
     * buffers (Linux {@code MSG_ZEROCOPY}, see {@code Documentation/networking/msg_zerocopy.rst}).
     *
     * <p>Only valid on a channel whose {@link IOChannel#features()} contain
     * {@link Feature#WRITE_ZERO_COPY}, and only with native (off-heap) segments. <strong>Every segment
     * passed with this flag belongs to the kernel until a later {@link IOChannel#flush()} returns:</strong>
     * the caller must neither modify it nor free its arena before then, because the kernel may still be
     * reading the pages, even after {@code writev} has returned and even when it later reports that it
     * copied them.
     */
    ZERO_COPY
}
