package io.channel.linux;

import io.channel.FlushResult;

/**
 * Counts {@code MSG_ZEROCOPY} completion ids: how many sends consumed one, how many the kernel reported
 * back, how many of those came in ranges marked as copied, and what a flush should answer. Pure arithmetic,
 * no kernel: testable on its own.
 *
 * <p>Facts it relies on ({@code Documentation/networking/msg_zerocopy.rst}, sections "Notifications" to
 * "Deferred copies"; the counter is {@code sk_zckey}, see {@code net/core/skbuff.c}): each socket has a 32-bit
 * id counter starting at 0; every {@code sendmsg(MSG_ZEROCOPY)} that returns more than 0 consumes exactly one
 * id (a call returning -1 consumes none); a notification reports the inclusive range
 * {@code [ee_info, ee_data]}, which the kernel may merge across the 2^32 wrap, so its length is
 * {@code (hi - lo + 1) mod 2^32}; the copied code ({@code SO_EE_CODE_ZEROCOPY_COPIED}) is a hint for the whole
 * merged range.
 *
 * <p>Not thread-safe: the channel guards it with one lock.
 */
final class ZeroCopyCompletions {

    private long sends;
    private long completed;
    private long copied;
    private long fallbacks;
    private long sendsSinceFlush;
    private long fallbacksSinceFlush;
    private boolean uncopiedSinceFlush;

    /**
     * {@return how many ids the inclusive range {@code [first, last]} covers, counted modulo 2^32}
     * A range with {@code last == first - 1} would be empty; the kernel never reports one, so it is read as
     * the full 2^32 ids, which {@link #complete(int, int, boolean)} then rejects.
     *
     * @param first {@code ee_info}, the first id (unsigned 32-bit)
     * @param last  {@code ee_data}, the last id (unsigned 32-bit)
     */
    static long rangeLength(int first, int last) {
        return Integer.toUnsignedLong(last - first) + 1;
    }

    /** Records one {@code sendmsg(MSG_ZEROCOPY)} that returned more than zero bytes. */
    void sent() {
        sends++;
        sendsSinceFlush++;
    }

    /**
     * Records a zero-copy write the channel sent by copying because the kernel refused to pin it
     * ({@code ENOBUFS} with nothing in flight): it consumed no id, but the next flush must report it as copied.
     */
    void fellBack() {
        fallbacks++;
        fallbacksSinceFlush++;
    }

    /**
     * Records a completion range.
     *
     * @param first  first id, inclusive
     * @param last   last id, inclusive
     * @param copiedRange whether the kernel marked the range as copied
     * @return the number of ids in the range
     * @throws IllegalStateException if the range covers more ids than are outstanding
     */
    long complete(int first, int last, boolean copiedRange) {
        long length = rangeLength(first, last);
        if (length > outstanding()) {
            throw new IllegalStateException("the kernel reported zero-copy completions [" + Integer.toUnsignedString(first)
                    + ", " + Integer.toUnsignedString(last) + "] (" + length + " ids) but only " + outstanding()
                    + " sends are outstanding");
        }
        completed += length;
        if (copiedRange) {
            copied += length;
        } else {
            uncopiedSinceFlush = true;
        }
        return length;
    }

    /** {@return sends whose completion has not been reported yet} */
    long outstanding() {
        return sends - completed;
    }

    /** {@return sends that consumed an id} */
    long sends() {
        return sends;
    }

    /** {@return ids reported complete} */
    long completed() {
        return completed;
    }

    /** {@return ids reported inside ranges marked copied} */
    long copied() {
        return copied;
    }

    /** {@return zero-copy writes sent by copying because the kernel refused to pin them} */
    long fallbacks() {
        return fallbacks;
    }

    /**
     * {@return whether a flush has anything to wait for or report: a zero-copy send or a fallback copy since the
     * last flush}
     */
    boolean pendingSinceFlush() {
        return sendsSinceFlush > 0 || fallbacksSinceFlush > 0 || outstanding() > 0;
    }

    /**
     * Ends a flush window once nothing is outstanding.
     *
     * @return {@link FlushResult#NOTHING_PENDING} if no zero-copy write was asked for since the last flush,
     *         {@link FlushResult#ZERO_COPY} if some range since then lacked the copied code, else
     *         {@link FlushResult#ALL_COPIED} (the kernel copied every send, or refused to pin it and the channel
     *         copied it: either way nothing avoided the copy)
     * @throws IllegalStateException if sends are still outstanding
     */
    FlushResult finishFlush() {
        if (outstanding() != 0) {
            throw new IllegalStateException(outstanding() + " zero-copy sends are still outstanding");
        }
        FlushResult result = sendsSinceFlush == 0 && fallbacksSinceFlush == 0 ? FlushResult.NOTHING_PENDING
                : uncopiedSinceFlush ? FlushResult.ZERO_COPY : FlushResult.ALL_COPIED;
        sendsSinceFlush = 0;
        fallbacksSinceFlush = 0;
        uncopiedSinceFlush = false;
        return result;
    }
}
