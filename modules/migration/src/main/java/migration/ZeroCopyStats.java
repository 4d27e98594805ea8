package migration;

import java.util.Objects;

/**
 * Whether zero-copy is in effect, and how it went.
 *
 * @param mode           the requested mode
 * @param provider       the channel provider in use
 * @param active         whether at least one channel currently writes pages with zero-copy
 * @param sends          zero-copy send calls over all channels
 * @param copied         completions the kernel reported as copied after all
 * @param enobufsRetries zero-copy sends retried after {@code ENOBUFS}
 * @param copyFallbacks  zero-copy writes sent by copying because the kernel refused to pin them
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
