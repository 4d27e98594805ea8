package io.channel;

/**
 * Optional capabilities of an {@link IOChannel}, as reported by {@link IOChannel#features()}.
 */
public enum Feature {
    /** The channel accepts {@link WriteFlag#ZERO_COPY} writes (Linux: {@code SO_ZEROCOPY} was accepted). */
    WRITE_ZERO_COPY,
    /** The channel supports half-close through {@link IOChannel#shutdown(ShutdownDirection)}. */
    SHUTDOWN,
    /**
     * The channel reads into and writes from heap segments ({@link java.lang.foreign.MemorySegment#ofArray})
     * where they are, with no copy through native memory of its own (Linux: a critical downcall of
     * {@code send}/{@code recv} hands the kernel the array itself). Without it a provider may copy heap segments
     * through native memory, or the JDK may (a {@code SocketChannel} given a heap buffer does). A caller that
     * keeps its buffers on the heap for other reasons, such as TLS records for the JDK's ciphers, can hand them
     * over as they are on a channel with this feature, and should copy them to native memory of its own first on
     * one without. A call on such a channel may move fewer bytes when heap and native segments are mixed (it
     * stops where the kind changes); {@code writeAll} and the callers' loops take care of the rest.
     */
    HEAP_IN_PLACE,
    /**
     * The channel passes open file descriptors to the process at the other end with
     * {@link IOChannel#writeWithDescriptors} and {@link IOChannel#readWithDescriptors} (a Unix domain socket:
     * {@code SCM_RIGHTS}, {@code man 7 unix}).
     */
    PASS_DESCRIPTORS
}
