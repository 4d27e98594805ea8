package io.channel.memory;

import io.channel.memory.portable.ChecksumDirtyTrackerProvider;
import io.channel.selection.ProviderSelector;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds dirty-tracker providers, picks the one to use, and makes trackers with a per-region fallback.
 *
 * <p>Selection is that of the channel and memory providers ({@link io.channel.ChannelProviders}): the available
 * provider with the highest priority, {@code linux} (100) where the kernel offers asynchronous write-protect and
 * {@code PAGEMAP_SCAN}, otherwise {@code portable} (0), which is available everywhere, so that
 * {@code application} (-1) is only ever used when asked for by name. The system property
 * {@value #TRACKER_PROPERTY} overrides it with a provider name: {@code -Dio.channel.dirty.tracker=portable} forces
 * page checksums, {@code =application} makes every region rely on {@link DirtyTracker#markDirty} reports,
 * {@code =linux} insists on the kernel tracker (and fails, with its cause, where it is unavailable). When a
 * provider is passed over, one line at INFO level on the {@code io.channel} {@link System.Logger} says which one
 * was chosen and why the others were not.
 *
 * <p>Per region: when the chosen provider refuses a region ({@link DirtyTrackingRefusedException}: a kind of
 * mapping it cannot track, a missing kernel feature), the region is tracked by the portable provider and the
 * tracker says why in {@link DirtyTracker#fallbackCause()} and {@link DirtyTracker#describe()}; one INFO line per
 * distinct reason is logged.
 */
public final class DirtyTrackers {

    /** The system property naming the provider to use; unset or empty means "best available". */
    public static final String TRACKER_PROPERTY = "io.channel.dirty.tracker";

    private static final System.Logger LOG = System.getLogger("io.channel");
    /** Fallback reasons already logged, so that each is told once per JVM. */
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();
    private static final ProviderSelector<DirtyTrackerProvider> SELECTOR = new ProviderSelector<>("dirty tracker",
            TRACKER_PROPERTY, DirtyTrackerProvider::name, DirtyTrackerProvider::priority,
            DirtyTrackerProvider::unavailabilityCause);

    private DirtyTrackers() {
    }

    /**
     * The outcome of a selection.
     *
     * @param chosen     the provider to use
     * @param candidates every provider found, highest priority first
     * @param rejections why each passed-over provider was not chosen (one suppressed exception each)
     * @param forced     whether {@value #TRACKER_PROPERTY} chose it
     */
    public record Selection(DirtyTrackerProvider chosen, List<DirtyTrackerProvider> candidates,
                            Exception rejections, boolean forced) {

        private Selection(ProviderSelector.Choice<DirtyTrackerProvider> choice) {
            this(choice.chosen(), choice.candidates(), choice.rejections(), choice.forced());
        }

        /** {@return a one-line account of the choice, naming rejected providers and their causes} */
        public String describe() {
            return SELECTOR.describe(new ProviderSelector.Choice<>(chosen, candidates, rejections, forced));
        }
    }

    /** {@return every dirty-tracker provider found that fits this platform, highest priority first} */
    public static List<DirtyTrackerProvider> all() {
        return Holder.FOUND.providers();
    }

    /**
     * Picks the provider to use here, honouring {@value #TRACKER_PROPERTY}, and logs the choice once when a
     * provider was passed over.
     *
     * @return the selection
     * @throws IllegalStateException         if the property names no known provider
     * @throws UnsupportedOperationException if the property names an unavailable provider (with its cause)
     */
    public static Selection select() {
        return new Selection(SELECTOR.selectAndLog(all(), Holder.FOUND.skipped(),
                System.getProperty(TRACKER_PROPERTY), LOG));
    }

    /** Selection plus the one-time log line; separate from {@link #select()} so tests can feed providers. */
    static Selection selectAndLog(List<DirtyTrackerProvider> candidates, String requested, System.Logger log) {
        return new Selection(SELECTOR.selectAndLog(candidates, List.of(), requested, log));
    }

    /**
     * Picks among the given candidates. Exposed for tests and tools that bring their own providers.
     *
     * @param candidates providers to choose from
     * @param requested  a provider name, or {@code null} or blank for the best available one
     * @return the selection
     * @throws IllegalStateException         if {@code requested} names no candidate, or none is available
     * @throws UnsupportedOperationException if {@code requested} names an unavailable provider
     */
    public static Selection select(List<DirtyTrackerProvider> candidates, String requested) {
        return new Selection(SELECTOR.select(candidates, List.of(), requested));
    }

    /**
     * Finds a provider by name.
     *
     * @param name the provider's name
     * @return the provider, available or not
     * @throws IllegalArgumentException if none has that name
     */
    public static DirtyTrackerProvider named(String name) {
        return SELECTOR.named(all(), Holder.FOUND.skipped(), name);
    }

    /**
     * Makes a tracker for a region with the selected provider ({@link #select()}), or with the portable one if
     * that provider refuses the region. The tracker is not armed.
     *
     * @param memory the region, at least one byte; it must stay mapped until the tracker is closed
     * @return the tracker, owned by the caller
     * @throws IllegalStateException         if {@value #TRACKER_PROPERTY} names no known provider
     * @throws UnsupportedOperationException if {@value #TRACKER_PROPERTY} names an unavailable provider
     */
    public static DirtyTracker track(MemorySegment memory) {
        return track(select().chosen(), new ChecksumDirtyTrackerProvider(), memory, LOG);
    }

    /**
     * Makes a tracker for a region with the named provider, or with the portable one if that provider refuses
     * the region. The tracker is not armed.
     *
     * @param memory       the region, at least one byte; it must stay mapped until the tracker is closed
     * @param providerName the provider, for example {@code application}
     * @return the tracker, owned by the caller
     * @throws IllegalArgumentException      if no provider has that name
     * @throws UnsupportedOperationException if that provider is unavailable (with its cause)
     */
    public static DirtyTracker track(MemorySegment memory, String providerName) {
        return track(memory, named(providerName));
    }

    /**
     * Makes a tracker for a region with the given provider, or with the portable one if that provider refuses
     * the region. For tools and tests that bring their own provider. The tracker is not armed.
     *
     * @param memory   the region, at least one byte; it must stay mapped until the tracker is closed
     * @param provider the provider to try first
     * @return the tracker, owned by the caller
     * @throws UnsupportedOperationException if that provider is unavailable (with its cause)
     */
    public static DirtyTracker track(MemorySegment memory, DirtyTrackerProvider provider) {
        provider.ensureAvailability();
        return track(provider, new ChecksumDirtyTrackerProvider(), memory, LOG);
    }

    /**
     * Tracks with {@code chosen}, or with {@code fallback} when {@code chosen} refuses the region.
     *
     * @param chosen   the provider to try first
     * @param fallback the provider that takes any region
     * @param memory   the region
     * @param log      where the fallback is reported
     * @return the tracker
     */
    static DirtyTracker track(DirtyTrackerProvider chosen, DirtyTrackerProvider fallback, MemorySegment memory,
                              System.Logger log) {
        Objects.requireNonNull(memory, "memory");
        if (memory.byteSize() == 0) {
            throw new IllegalArgumentException("cannot track an empty memory segment");
        }
        DirtyTrackingRefusedException refusal;
        try {
            return chosen.track(memory);
        } catch (DirtyTrackingRefusedException e) {
            refusal = e;
        }
        DirtyTracker tracker;
        try {
            tracker = fallback.track(memory);
        } catch (DirtyTrackingRefusedException e) {
            IllegalStateException failed = new IllegalStateException("dirty tracker '" + fallback.name()
                    + "' refused a region too: " + e.getMessage(), e);
            failed.addSuppressed(refusal);
            throw failed;
        }
        String reason = "'" + chosen.name() + "' refused the region: " + refusal.getMessage();
        tracker.fellBackBecause(new DirtyTrackingRefusedException(reason, refusal));
        if (LOGGED.add(reason)) {
            log.log(Level.INFO, "dirty tracker " + reason + "; tracking it with '" + tracker.providerName()
                    + "', which reads the whole region at each sync");
        }
        return tracker;
    }

    private static final class Holder {
        static final ProviderSelector.Found<DirtyTrackerProvider> FOUND = SELECTOR.load(
                ServiceLoader.load(DirtyTrackerProvider.class, DirtyTrackers.class.getClassLoader()).stream(),
                System.getProperty("os.name"), System.getProperty("os.arch"));
    }
}
