package migration;

import io.channel.ChannelStatistics;
import java.util.Objects;

/**
 * Live statistics of one multifd channel.
 *
 * @param id             the channel's id, 0 to channels-1
 * @param bytes          bytes this channel carried, headers included
 * @param packets        packets this channel carried (data and SYNC)
 * @param provider       the channel provider's name, such as {@code "copy"} or {@code "linux"}
 * @param zeroCopyActive whether zero-copy is in effect on this channel: it writes pages with zero-copy now, and
 *                       more of its settled zero-copy writes avoided the copy than were copied (by the kernel
 *                       or by a fallback); a channel with none settled yet counts by what it asks for. The rule
 *                       of {@link ZeroCopyStats#active()}, per channel
 * @param counters       the channel's own counters (zero-copy sends, completions, copied completions, ...)
 */
public record ChannelStats(int id, long bytes, long packets, String provider, boolean zeroCopyActive,
                           ChannelStatistics counters) {

    /**
     * Checks the components.
     *
     * @throws NullPointerException if {@code provider} or {@code counters} is null
     */
    public ChannelStats {
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(counters, "counters");
    }
}
