package migration;

import java.util.Objects;

/**
 * Whether zero-copy is in effect, and how it went.
 *
 * <h2>When zero-copy is {@code active}</h2>
 * {@code active} tells the truth about the copies, not about the flag: it is true only when all of these hold,
 * <ol>
 *   <li>zero-copy was asked for (mode {@code on} or {@code auto}, and the source chose to ask for it);</li>
 *   <li>at least one multifd channel still writes its pages with zero-copy (not refused by the kernel, not
 *       switched to copying by {@code auto});</li>
 *   <li>summed over all channels, the zero-copy writes settled so far (the completions the kernel reported plus
 *       the {@code copyFallbacks}) are not zero, and more of them completed without the kernel's copied mark
 *       ({@code SO_EE_CODE_ZEROCOPY_COPIED}) than were copied, counting as copied both the completions the
 *       kernel marked and the fallback copies.</li>
 * </ol>
 * So a migration whose writes were mostly copied is never active: same-host TCP (loopback, veth), where the
 * kernel copies every zero-copy write, nor a locked-memory limit under which the provider copies the writes the
 * kernel refuses to pin. {@link ChannelStats#zeroCopyActive()} applies the same rule to one channel. With
 * {@code on}, a write the kernel refuses to pin fails the migration instead ("Process can't lock enough memory
 * for using MSG_ZEROCOPY", naming {@code RLIMIT_MEMLOCK} and {@code net.core.optmem_max}); with {@code auto} it
 * is copied and {@code reason} says so.
 *
 * @param mode           the requested mode
 * @param provider       the channel provider in use
 * @param active         whether zero-copy is in effect by the rule above
 * @param sends          zero-copy send calls over all channels
 * @param copied         completions the kernel reported as copied after all
 * @param enobufsRetries zero-copy sends retried after {@code ENOBUFS}
 * @param copyFallbacks  zero-copy writes sent by copying because the kernel refused to pin them (only in
 *                       {@code auto}; the locked-memory limits are named in {@code reason})
 * @param reason         in plain words, why zero-copy is or is not in effect, for example
 *                       {@code "off by request"} or {@code "zero-copy in effect"}
 */
public record ZeroCopyStats(ZeroCopyMode mode, String provider, boolean active, long sends, long copied,
                            long enobufsRetries, long copyFallbacks, String reason) {

    /**
     * Checks the components.
     *
     * @throws NullPointerException if {@code mode} or {@code reason} is null
     */
    public ZeroCopyStats {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(reason, "reason");
    }
}
