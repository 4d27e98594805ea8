package io.channel.linux;

/**
 * One zero-copy completion read from the socket error queue: the inclusive id range
 * {@code [first, last]} ({@code ee_info}, {@code ee_data} of {@code struct sock_extended_err},
 * {@code linux/errqueue.h}) and whether {@code ee_code} carried {@code SO_EE_CODE_ZEROCOPY_COPIED}.
 *
 * @param first  first id, an unsigned 32-bit value
 * @param last   last id, an unsigned 32-bit value; may be numerically below {@code first} across the wrap
 * @param copied whether the kernel copied the data after all
 */
record ZeroCopyNotification(int first, int last, boolean copied) {

    /** {@return the number of ids covered, counted modulo 2^32} */
    long length() {
        return ZeroCopyCompletions.rangeLength(first, last);
    }
}
