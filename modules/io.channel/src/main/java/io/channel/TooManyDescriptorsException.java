package io.channel;

import java.io.IOException;

/**
 * More file descriptors came with the bytes than the reader expected ({@link IOChannel#readWithDescriptors}):
 * the peer sent what the reader's protocol does not allow, or more than the room the reader gave, in which case
 * the kernel dropped the rest and said so ({@code MSG_CTRUNC}, {@code man 7 unix}). Every descriptor that did
 * arrive is closed before this is thrown; the channel itself is intact, but its peer broke the protocol.
 */
public final class TooManyDescriptorsException extends IOException {

    private static final long serialVersionUID = 1L;

    private final int expected;
    private final boolean truncated;

    /**
     * Creates the exception.
     *
     * @param expected  how many descriptors the reader expected at most
     * @param arrived   how many arrived (those the kernel kept)
     * @param truncated whether the kernel dropped some for want of room ({@code MSG_CTRUNC})
     */
    public TooManyDescriptorsException(int expected, int arrived, boolean truncated) {
        super("more descriptors arrived than the " + expected + " expected (" + (truncated ? "the control message"
                + " was cut, MSG_CTRUNC" : arrived + " arrived") + "): every one is closed");
        this.expected = expected;
        this.truncated = truncated;
    }

    /** {@return how many descriptors the reader expected at most} */
    public int expected() {
        return expected;
    }

    /** {@return whether the kernel dropped descriptors for want of room ({@code MSG_CTRUNC})} */
    public boolean truncated() {
        return truncated;
    }
}
