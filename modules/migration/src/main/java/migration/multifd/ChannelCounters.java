package migration.multifd;

import io.channel.ChannelStatistics;
import io.channel.IOChannel;
import java.util.concurrent.atomic.LongAdder;
import migration.ChannelStats;

/**
 * Live state of one multifd channel for the statistics: bytes, packets, whether it writes with zero-copy,
 * and the channel's own counters (kept after the channel is closed).
 */
public final class ChannelCounters {

    private final int id;
    private final LongAdder bytes = new LongAdder();
    private final LongAdder packets = new LongAdder();
    private volatile IOChannel channel;
    private volatile String provider = "";
    private volatile ChannelStatistics last = ChannelStatistics.EMPTY;
    private volatile boolean zeroCopyActive;
    private volatile boolean firstFlushAllCopied;
    private volatile boolean firstFlushed;
    private volatile String noZeroCopyReason;
    private volatile String fallbackReason;

    /**
     * Creates the counters of channel {@code id}.
     *
     * @param id the channel's id
     */
    public ChannelCounters(int id) {
        this.id = id;
    }

    /** {@return the channel's id} */
    public int id() {
        return id;
    }

    /**
     * Attaches the connected channel.
     *
     * @param channel        the channel
     * @param zeroCopyActive whether it starts writing pages with zero-copy
     */
    public void attach(IOChannel channel, boolean zeroCopyActive) {
        this.channel = channel;
        this.provider = channel.providerName();
        this.zeroCopyActive = zeroCopyActive;
    }

    /**
     * Counts bytes and packets carried.
     *
     * @param byteCount   bytes
     * @param packetCount packets
     */
    public void add(long byteCount, long packetCount) {
        bytes.add(byteCount);
        packets.add(packetCount);
    }

    /**
     * {@return whether this channel asks for zero-copy on its page writes now: it was granted
     * {@link io.channel.Feature#WRITE_ZERO_COPY} and has not switched to copying} Whether that avoids the copy is
     * {@link #zeroCopyInEffect(ChannelStatistics)}.
     */
    public boolean zeroCopyActive() {
        return zeroCopyActive;
    }

    /**
     * Whether this channel's zero-copy is in effect, by the rule {@link migration.ZeroCopyStats#active()} states
     * for the whole migration: it asks for zero-copy now, and of its zero-copy writes settled so far (completions
     * plus {@linkplain ChannelStatistics#copyFallbacks() fallback copies}) more were completed without the
     * kernel's copied mark than were copied. A channel with nothing settled yet counts by what it asks for.
     *
     * @param counters the channel's counters
     * @return whether zero-copy is in effect on this channel
     */
    public boolean zeroCopyInEffect(ChannelStatistics counters) {
        return zeroCopyActive && (settled(counters) == 0 || mostlyUncopied(counters));
    }

    /**
     * {@return zero-copy writes the kernel or the provider settled: completions plus fallback copies}
     * @param counters a channel's counters
     */
    public static long settled(ChannelStatistics counters) {
        return counters.completions() + counters.copyFallbacks();
    }

    /**
     * {@return whether more settled zero-copy writes avoided the copy than were copied} Copied are the completions
     * in ranges the kernel marked copied and the writes the provider copied because the kernel refused to pin them.
     *
     * @param counters a channel's counters, or their sums over channels
     */
    public static boolean mostlyUncopied(ChannelStatistics counters) {
        long uncopied = counters.completions() - counters.copiedCompletions();
        return uncopied > counters.copiedCompletions() + counters.copyFallbacks();
    }

    /**
     * Records that the first flush found every zero-copy write copied.
     *
     * @param switchedOff whether the channel then switched to copying writes
     */
    public void firstFlushAllCopied(boolean switchedOff) {
        firstFlushAllCopied = true;
        if (switchedOff) {
            zeroCopyActive = false;
        }
    }

    /** Records that the channel flushed its first zero-copy writes: it has written pages with zero-copy. */
    public void firstFlushed() {
        firstFlushed = true;
    }

    /** {@return whether the channel has written pages with zero-copy and flushed them once} */
    public boolean hasFlushedZeroCopy() {
        return firstFlushed;
    }

    /** {@return whether the first flush found every zero-copy write copied} */
    public boolean firstFlushAllCopied() {
        return firstFlushAllCopied;
    }

    /**
     * Records why this channel has no zero-copy although it was asked for.
     *
     * @param reason the channel's {@link IOChannel#zeroCopyUnavailableReason()}
     */
    public void noZeroCopy(String reason) {
        this.noZeroCopyReason = reason;
    }

    /**
     * Records that this channel, although granted zero-copy, writes every page by copying, and why: it asks
     * for zero-copy on none of its page writes.
     *
     * @param reason why its pages are copied
     */
    public void copiesEveryPage(String reason) {
        this.noZeroCopyReason = reason;
        this.zeroCopyActive = false;
    }

    /** {@return why this channel has no zero-copy although it was asked for, or {@code null}} */
    public String noZeroCopyReason() {
        return noZeroCopyReason;
    }

    /**
     * {@return why the provider copied some of this channel's zero-copy writes
     * ({@link IOChannel#zeroCopyFallbackReason()}), or {@code null}; kept after the channel is closed}
     */
    public String zeroCopyFallbackReason() {
        IOChannel current = channel;
        if (fallbackReason == null && current != null) {
            fallbackReason = current.zeroCopyFallbackReason();
        }
        return fallbackReason;
    }

    /** {@return a snapshot; reads the channel's own counters while it is attached} */
    public ChannelStats snapshot() {
        IOChannel current = channel;
        if (current != null) {
            try {
                last = current.statistics();
            } catch (RuntimeException e) {
                // A provider may refuse once closed; keep the last snapshot.
            }
        }
        ChannelStatistics counters = last;
        return new ChannelStats(id, bytes.sum(), packets.sum(), provider, zeroCopyInEffect(counters), counters);
    }
}
