package io.channel.memory;

import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Finds dirty-tracker providers, picks the one to use, and makes trackers with a per-region fallback.
 *
 * <p>Selection takes the available provider with the highest priority among those with a priority of 0 or
 * more ({@code linux} where the kernel offers asynchronous write-protect and {@code PAGEMAP_SCAN}, otherwise
 * {@code portable}). The system property {@value #TRACKER_PROPERTY} overrides it with a provider name:
 * {@code -Dio.channel.dirty.tracker=portable} forces page checksums, {@code =application} makes every region
 * rely on {@link DirtyTracker#markDirty} reports, {@code =linux} insists on the kernel tracker (and fails, with
 * its cause, where it is unavailable). When an available-looking provider is passed over, one line at INFO level
 * on the {@code io.channel} {@link System.Logger} says which one was chosen and why the others were not.
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
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private DirtyTrackers() {
    }

    /**
     * The outcome of a selection.
     *
     * @param chosen     the provider to use
     * @param candidates every provider found, highest priority first
     * @param rejections why each passed-over provider was not chosen (one suppressed exception each)
     * @param forced     whether {@value #TRACKER_PROPERTY} (or an explicit name) chose it
     */
    public record Selection(DirtyTrackerProvider chosen, List<DirtyTrackerProvider> candidates,
                            Exception rejections, boolean forced) {

        /** {@return a one-line account of the choice, naming rejected providers and their causes} */
        public String describe() {
            StringBuilder text = new StringBuilder("using dirty tracker '").append(chosen.name()).append('\'');
            if (forced) {
                text.append(" (forced by -D").append(TRACKER_PROPERTY).append('=').append(chosen.name()).append(')');
            }
            for (Throwable rejected : rejections.getSuppressed()) {
                text.append("; passed over ").append(rejected.getMessage());
            }
            return text.toString();
        }
    }

    /** {@return every provider on the module path (or class path), highest priority first} */
    public static List<DirtyTrackerProvider> all() {
        return Holder.ALL;
    }

    /**
     * Picks the provider to use here, honouring {@value #TRACKER_PROPERTY}, and logs the choice once when a
     * provider was passed over.
     *
     * @return the selection
     * @throws IllegalArgumentException      if the property names no known provider
     * @throws UnsupportedOperationException if the property names an unavailable provider (with its cause)
     */
    public static Selection select() {
        return selectAndLog(all(), System.getProperty(TRACKER_PROPERTY), LOG);
    }

    /** Selection plus the one-time log line; separate from {@link #select()} so tests can feed providers. */
    static Selection selectAndLog(List<DirtyTrackerProvider> candidates, String requested, System.Logger log) {
        Selection selection = select(candidates, requested);
        String line = selection.describe();
        if (LOGGED.add(line)) {
            boolean passedOver = selection.rejections().getSuppressed().length > 0 && !selection.forced();
            log.log(passedOver ? Level.INFO : Level.DEBUG, line);
        }
        return selection;
    }

    /**
     * Picks among the given candidates. Exposed for tests and tools that bring their own providers.
     *
     * @param candidates providers to choose from
     * @param requested  a provider name, or {@code null} or blank for the best available one
     * @return the selection
     * @throws IllegalArgumentException      if {@code requested} names no candidate
     * @throws IllegalStateException         if none is available
     * @throws UnsupportedOperationException if {@code requested} names an unavailable provider
     */
    public static Selection select(List<DirtyTrackerProvider> candidates, String requested) {
        List<DirtyTrackerProvider> sorted = sorted(candidates);
        Exception rejections = new Exception("rejected dirty trackers");
        if (requested != null && !requested.isBlank()) {
            DirtyTrackerProvider match = find(sorted, requested.strip(), "-D" + TRACKER_PROPERTY + "="
                    + requested.strip() + " names no dirty tracker");
            match.ensureAvailability();
            for (DirtyTrackerProvider other : sorted) {
                if (other != match) {
                    rejections.addSuppressed(new Exception("'" + other.name() + "' (not requested)"));
                }
            }
            return new Selection(match, List.copyOf(sorted), rejections, true);
        }
        for (DirtyTrackerProvider provider : sorted) {
            if (provider.priority() < 0) {
                continue; // only by name
            }
            Throwable cause = provider.unavailabilityCause();
            if (cause == null) {
                return new Selection(provider, List.copyOf(sorted), rejections, false);
            }
            rejections.addSuppressed(new Exception("'" + provider.name() + "': " + cause.getMessage(), cause));
        }
        IllegalStateException none = new IllegalStateException("no dirty tracker is available on "
                + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + "; found: " + names(sorted));
        for (Throwable rejected : rejections.getSuppressed()) {
            none.addSuppressed(rejected);
        }
        throw none;
    }

    /**
     * Finds a provider by name.
     *
     * @param name the provider's name
     * @return the provider, available or not
     * @throws IllegalArgumentException if none has that name
     */
    public static DirtyTrackerProvider named(String name) {
        Objects.requireNonNull(name, "name");
        return find(all(), name, "no dirty tracker named '" + name + "'");
    }

    /**
     * Makes a tracker for a region with the selected provider ({@link #select()}), or with the portable one if
     * that provider refuses the region. The tracker is not armed.
     *
     * @param memory the region, at least one byte; it must stay mapped until the tracker is closed
     * @return the tracker, owned by the caller
     * @throws IllegalArgumentException      if {@value #TRACKER_PROPERTY} names no known provider
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

    private static List<DirtyTrackerProvider> sorted(List<DirtyTrackerProvider> providers) {
        List<DirtyTrackerProvider> sorted = new ArrayList<>(providers);
        sorted.sort(Comparator.comparingInt(DirtyTrackerProvider::priority).reversed()
                .thenComparing(DirtyTrackerProvider::name));
        return sorted;
    }

    private static DirtyTrackerProvider find(List<DirtyTrackerProvider> providers, String name, String failure) {
        return providers.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(failure + "; found: " + names(providers)));
    }

    private static String names(List<DirtyTrackerProvider> providers) {
        return providers.stream().map(DirtyTrackerProvider::name).collect(Collectors.joining(", ", "[", "]"));
    }

    private static final class Holder {
        static final List<DirtyTrackerProvider> ALL = load();

        private static List<DirtyTrackerProvider> load() {
            Set<String> seen = new HashSet<>();
            // Constructors are cheap by contract; availability is probed lazily by each provider.
            List<DirtyTrackerProvider> found = ServiceLoader.load(DirtyTrackerProvider.class,
                            DirtyTrackers.class.getClassLoader()).stream()
                    .map(ServiceLoader.Provider::get)
                    .filter(p -> seen.add(p.name()))
                    .toList();
            return List.copyOf(sorted(found));
        }
    }
}
