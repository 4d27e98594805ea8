package migration.session;

import io.channel.ChannelStatistics;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import migration.ChannelStats;
import migration.MigrationParameters;
import migration.ZeroCopyStats;
import migration.multifd.ChannelCounters;

/**
 * The source's zero-copy statistics and the sentence that explains them: whether zero-copy is in effect, and for
 * each group of channels why not (refused, copied by the kernel, not used yet).
 */
final class ZeroCopyReport {

    private ZeroCopyReport() {
    }

    /**
     * {@return the zero-copy statistics of a source}
     * @param plan     the source's choice of provider and zero-copy
     * @param params   the parameters
     * @param counters the channels' own counters, by id
     * @param channels the channels' statistics, by id
     */
    static ZeroCopyStats of(ZeroCopyPlan plan, MigrationParameters params, List<ChannelCounters> counters,
                            List<ChannelStats> channels) {
        long sends = 0;
        long completions = 0;
        long copied = 0;
        long enobufs = 0;
        long fallbacks = 0;
        boolean anyInEffect = false;
        for (ChannelStats channel : channels) {
            ChannelStatistics c = channel.counters();
            sends += c.zeroCopySends();
            completions += c.completions();
            copied += c.copiedCompletions();
            enobufs += c.enobufsRetries();
            fallbacks += c.copyFallbacks();
            anyInEffect |= channel.zeroCopyActive();
        }
        // The rule ZeroCopyStats.active states: asked for, some channel still writes with it, and of every settled
        // zero-copy write more avoided the copy than were copied (by the kernel or by a fallback). A channel that has
        // settled nothing yet (with many channels on few cores some may never write a page) proves nothing.
        ChannelStatistics sum = new ChannelStatistics(0, 0, sends, completions, copied, enobufs, fallbacks);
        boolean active = plan.requestZeroCopy() && anyInEffect && ChannelCounters.settled(sum) > 0
                && ChannelCounters.mostlyUncopied(sum);
        return new ZeroCopyStats(params.zeroCopy(), plan.provider().name(), active, sends, copied, enobufs, fallbacks,
                reason(plan, counters, channels));
    }

    private static String reason(ZeroCopyPlan plan, List<ChannelCounters> counters, List<ChannelStats> channels) {
        if (!plan.requestZeroCopy()) {
            return plan.reason();
        }
        List<String> parts = new ArrayList<>();
        List<Integer> refused = new ArrayList<>();
        String refusal = null;
        List<Integer> copiedSwitched = new ArrayList<>();
        List<Integer> copiedKept = new ArrayList<>();
        List<Integer> mostlyCopied = new ArrayList<>();
        List<Integer> active = new ArrayList<>();
        List<Integer> unused = new ArrayList<>();
        for (ChannelCounters channel : counters) {
            ChannelStatistics stats = channels.get(channel.id()).counters();
            String fallback = channel.zeroCopyFallbackReason();
            if (channel.noZeroCopyReason() != null) {
                parts.add("multifd channel " + channel.id() + " has no zero-copy (" + channel.noZeroCopyReason()
                        + "); copying on it");
            } else if (fallback != null && !ChannelCounters.mostlyUncopied(stats)) {
                refused.add(channel.id());
                refusal = refusal == null ? fallback : refusal;
            } else if (channel.firstFlushAllCopied() && !channel.zeroCopyActive()) {
                copiedSwitched.add(channel.id());
            } else if (channel.firstFlushAllCopied()) {
                copiedKept.add(channel.id());
            } else if (channel.hasFlushedZeroCopy() && !channel.zeroCopyInEffect(stats)) {
                mostlyCopied.add(channel.id());
            } else if (channel.hasFlushedZeroCopy()) {
                active.add(channel.id());
            } else {
                unused.add(channel.id());
            }
        }
        int all = counters.size();
        if (!refused.isEmpty()) {
            boolean switched = refused.stream().noneMatch(id -> counters.get(id).zeroCopyActive());
            parts.add("on " + channelList(refused, all) + " " + refusal
                    + (switched ? "; switched to copying writes" : ""));
        }
        if (!copiedSwitched.isEmpty()) {
            parts.add("the kernel copied every zero-copy write on " + channelList(copiedSwitched, all)
                    + " (same-host TCP such as loopback always does); switched to copying writes");
        }
        if (!copiedKept.isEmpty()) {
            parts.add("the kernel copied every zero-copy write on " + channelList(copiedKept, all)
                    + " (same-host TCP such as loopback always does); zero-copy stays on as required");
        }
        if (!mostlyCopied.isEmpty()) {
            parts.add("the kernel copied most zero-copy writes on " + channelList(mostlyCopied, all));
        }
        if (!active.isEmpty()) {
            parts.add(parts.isEmpty() && unused.isEmpty() ? ZeroCopyPlan.IN_EFFECT : ZeroCopyPlan.IN_EFFECT + " on "
                    + channelList(active, all));
        }
        if (!unused.isEmpty()) {
            parts.add(channelList(unused, all) + " wrote no zero-copy pages yet");
        }
        return String.join("; ", parts);
    }

    private static String channelList(List<Integer> ids, int all) {
        if (ids.size() == all && all > 1) {
            return "every channel";
        }
        return (ids.size() == 1 ? "channel " : "channels ")
                + ids.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }
}
