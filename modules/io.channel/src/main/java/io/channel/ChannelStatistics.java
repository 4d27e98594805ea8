package io.channel;

/**
 * A snapshot of a channel's counters.
 *
 * @param bytesWritten      bytes accepted by the kernel through writes of any kind
 * @param bytesRead         bytes read
 * @param zeroCopySends     send calls made with the zero-copy flag that returned more than zero bytes
 *                          (each one is one completion id on Linux)
 * @param completions       completion ids the kernel reported back so far
 * @param copiedCompletions completion ids reported inside a range that the kernel marked as copied
 * @param enobufsRetries    zero-copy sends retried after {@code ENOBUFS} (locked-memory or optmem limit)
 * @param copyFallbacks     zero-copy writes sent by copying because the kernel refused to pin them
 *                          even with nothing in flight
 */
public record ChannelStatistics(long bytesWritten, long bytesRead, long zeroCopySends, long completions,
                                long copiedCompletions, long enobufsRetries, long copyFallbacks) {

    /** Counters of a channel that did nothing yet. */
    public static final ChannelStatistics EMPTY = new ChannelStatistics(0, 0, 0, 0, 0, 0, 0);
}
