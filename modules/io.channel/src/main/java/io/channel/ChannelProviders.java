package io.channel;

import io.channel.spi.ChannelProvider;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Finds channel providers and picks the one to use.
 *
 * <p>Selection takes the available provider with the highest priority. The system property
 * {@value #PROVIDER_PROPERTY} overrides it with a provider name: {@code -Dio.channel.provider=copy} forces
 * the portable copying provider, {@code -Dio.channel.provider=linux} insists on the Linux zero-copy provider
 * (and fails, with its cause, where that is unavailable). When a provider is passed over, one line at INFO
 * level on the {@code io.channel} {@link System.Logger} says which one was chosen and why the others were
 * not; the rejected causes are attached to the selection as suppressed exceptions.
 */
public final class ChannelProviders {

    /** The system property naming the provider to use; unset or empty means "best available". */
    public static final String PROVIDER_PROPERTY = "io.channel.provider";

    private static final System.Logger LOG = System.getLogger("io.channel");
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private ChannelProviders() {
    }

    /**
     * The outcome of a selection.
     *
     * @param chosen     the provider to use
     * @param candidates every provider found, highest priority first
     * @param rejections why each passed-over provider was not chosen (one suppressed exception each)
     * @param forced     whether {@value #PROVIDER_PROPERTY} chose it
     */
    public record Selection(ChannelProvider chosen, List<ChannelProvider> candidates, Exception rejections,
                            boolean forced) {

        /** {@return a one-line account of the choice, naming rejected providers and their causes} */
        public String describe() {
            StringBuilder text = new StringBuilder("using channel provider '").append(chosen.name()).append('\'');
            if (forced) {
                text.append(" (forced by -D").append(PROVIDER_PROPERTY).append('=').append(chosen.name()).append(')');
            }
            for (Throwable rejected : rejections.getSuppressed()) {
                text.append("; passed over ").append(rejected.getMessage());
            }
            return text.toString();
        }
    }

    /** {@return every provider on the module path (or class path), highest priority first} */
    public static List<ChannelProvider> all() {
        return Holder.ALL;
    }

    /**
     * Picks the provider to use here, honouring {@value #PROVIDER_PROPERTY}, and logs the choice once when
     * a provider was passed over.
     *
     * @return the selection
     * @throws IllegalStateException         if the property names no known provider
     * @throws UnsupportedOperationException if the property names an unavailable provider (with its cause)
     */
    public static Selection select() {
        return selectAndLog(all(), System.getProperty(PROVIDER_PROPERTY), LOG);
    }

    /** Selection plus the one-time log line; separate from {@link #select()} so tests can feed providers. */
    static Selection selectAndLog(List<ChannelProvider> candidates, String requested, System.Logger log) {
        Selection selection = select(candidates, requested);
        String line = selection.describe();
        if (selection.rejections().getSuppressed().length > 0 && LOGGED.add(line)) {
            log.log(Level.INFO, line);
            for (Throwable rejected : selection.rejections().getSuppressed()) {
                log.log(Level.DEBUG, "provider rejected", rejected);
            }
        } else if (LOGGED.add(line)) {
            log.log(Level.DEBUG, line);
        }
        return selection;
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
    public static Selection select(List<ChannelProvider> candidates, String requested) {
        List<ChannelProvider> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.comparingInt(ChannelProvider::priority).reversed()
                .thenComparing(ChannelProvider::name));
        Exception rejections = new Exception("rejected channel providers");
        if (requested != null && !requested.isBlank()) {
            String name = requested.strip();
            ChannelProvider match = sorted.stream().filter(p -> p.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("-D" + PROVIDER_PROPERTY + "=" + name
                            + " names no channel provider; found: " + names(sorted)));
            match.ensureAvailability();
            for (ChannelProvider other : sorted) {
                if (other != match) {
                    rejections.addSuppressed(new Exception("'" + other.name() + "' (not requested)"));
                }
            }
            return new Selection(match, List.copyOf(sorted), rejections, true);
        }
        for (ChannelProvider provider : sorted) {
            Throwable cause = provider.unavailabilityCause();
            if (cause == null) {
                return new Selection(provider, List.copyOf(sorted), rejections, false);
            }
            rejections.addSuppressed(new Exception("'" + provider.name() + "': " + cause.getMessage(), cause));
        }
        IllegalStateException none = new IllegalStateException("no channel provider is available on "
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
    public static ChannelProvider named(String name) {
        Objects.requireNonNull(name, "name");
        return all().stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no channel provider named '" + name + "'; found: "
                        + names(all())));
    }

    private static String names(List<ChannelProvider> providers) {
        return providers.stream().map(ChannelProvider::name).collect(Collectors.joining(", ", "[", "]"));
    }

    private static final class Holder {
        static final List<ChannelProvider> ALL = load();

        private static List<ChannelProvider> load() {
            List<ChannelProvider> found = new ArrayList<>();
            Set<String> seen = new java.util.HashSet<>();
            // stream() lets us see each provider's type before instantiating it; constructors are cheap by
            // contract, availability is probed lazily by each provider.
            ServiceLoader.load(ChannelProvider.class, ChannelProviders.class.getClassLoader()).stream()
                    .map(ServiceLoader.Provider::get)
                    .filter(p -> seen.add(p.name()))
                    .forEach(found::add);
            found.sort(Comparator.comparingInt(ChannelProvider::priority).reversed()
                    .thenComparing(ChannelProvider::name));
            return List.copyOf(found);
        }
    }
}
