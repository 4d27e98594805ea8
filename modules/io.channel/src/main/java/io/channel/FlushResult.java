package io.channel;

/**
 * What {@link IOChannel#flush()} found once every zero-copy write issued before it had completed.
 *
 * <p>This mirrors the three outcomes of QEMU's {@code qio_channel_flush()} (0, 1, and "nothing queued").
 * The kernel's "copied" marker is a hint for a whole range of merged completions (see
 * {@code linux/errqueue.h}, {@code SO_EE_CODE_ZEROCOPY_COPIED}), so {@link #ZERO_COPY} means "at least one
 * completion range did not carry it".
 */
public enum FlushResult {
    /** No zero-copy write was pending: nothing to wait for. Always the answer of a copying channel. */
    NOTHING_PENDING,
    /** Every pending write completed and at least one of them was sent without a copy. */
    ZERO_COPY,
    /**
     * Every pending write completed, but none avoided the copy: the kernel copied all of them after all
     * (same-host TCP such as loopback or veth always does, and so do NICs or paths that cannot send from user
     * pages), or refused to pin them so that the provider sent them by copying
     * ({@link ChannelStatistics#copyFallbacks()}).
     */
    ALL_COPIED
}
