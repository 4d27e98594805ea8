package migration.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code multifd bench --live} measures: one live migration per tracker, channel count and dirty rate.
 *
 * @param size           bytes of the source's memory
 * @param channels       multifd channel counts
 * @param trackers       dirty trackers by name ({@code linux}, {@code portable}, {@code application})
 * @param rates          the writers' rates, in the order given
 * @param downtimeMillis the downtime limit
 * @param autoConverge   whether the migration throttles the writers when they outpace it
 * @param json           whether to print the JSON document instead of the Markdown
 * @param output         the results file, or {@code null} for {@code bench-results/<timestamp>.md}
 */
public record LiveOptions(long size, List<Integer> channels, List<String> trackers, List<DirtyRate> rates,
                          long downtimeMillis, boolean autoConverge, boolean json, Path output) {

    /** The trackers measured by default, the kernel's first. */
    public static final String DEFAULT_TRACKERS = "linux,portable,application";
    /**
     * The rates measured by default: none, three absolute ones, and 25% of the bandwidth, the rate the live targets
     * are stated at.
     */
    public static final String DEFAULT_RATES = "0,64m,256m,1g,25%";
    /** The channel count used unless {@code --channels} is given. */
    public static final int DEFAULT_CHANNELS = 2;

    /** Checks and copies. */
    public LiveOptions {
        channels = List.copyOf(channels);
        trackers = List.copyOf(trackers);
        rates = List.copyOf(rates);
        if (channels.isEmpty() || trackers.isEmpty() || rates.isEmpty()) {
            throw new IllegalArgumentException("nothing to measure: channels, trackers and dirty rates must not be"
                    + " empty");
        }
        if (downtimeMillis < 0) {
            throw new IllegalArgumentException("--downtime-limit must be 0 or more milliseconds, but is "
                    + downtimeMillis);
        }
    }

    /**
     * {@return the rates in the order measured: a rate of 0 first whenever a rate is relative to the
     * bandwidth (added if it was not asked for), since that row measures the bandwidth}
     */
    public List<DirtyRate> schedule() {
        if (rates.stream().noneMatch(DirtyRate::relative)) {
            return rates;
        }
        DirtyRate none = new DirtyRate(0, 0);
        List<DirtyRate> ordered = new ArrayList<>(List.of(none));
        rates.stream().filter(r -> !r.equals(none)).forEach(ordered::add);
        return ordered;
    }
}
