package io.channel;

import io.channel.selection.ProviderSelector;
import io.channel.spi.ChannelProvider;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Finds channel providers and picks the one to use.
 *
 * <p>Selection takes the available provider with the highest priority. The system property
 * {@value #PROVIDER_PROPERTY} overrides it with a provider name: {@code -Dio.channel.provider=copy} forces
 * the portable copying provider, {@code -Dio.channel.provider=linux} insists on the Linux zero-copy provider
 * (and fails, with its cause, where that is unavailable). When a provider is passed over, one line at INFO
 * level on the {@code io.channel} {@link System.Logger} says which one was chosen and why the others were
 * not; the rejected causes are attached to the selection as suppressed exceptions.
 *
 * <p>A provider class annotated with {@link io.channel.spi.SupportedPlatform} that does not fit this OS or
 * architecture is never instantiated; it is reported among the rejections instead.
 */
public final class ChannelProviders {

    /** The system property naming the provider to use; unset or empty means "best available". */
    public static final String PROVIDER_PROPERTY = "io.channel.provider";

    private static final System.Logger LOG = System.getLogger("io.channel");
    private static final ProviderSelector<ChannelProvider> SELECTOR = new ProviderSelector<>("channel provider",
            PROVIDER_PROPERTY, ChannelProvider::name, ChannelProvider::priority, ChannelProvider::unavailabilityCause);

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

        private Selection(ProviderSelector.Choice<ChannelProvider> choice) {
            this(choice.chosen(), choice.candidates(), choice.rejections(), choice.forced());
        }

        /** {@return a one-line account of the choice, naming rejected providers and their causes} */
        public String describe() {
            return SELECTOR.describe(new ProviderSelector.Choice<>(chosen, candidates, rejections, forced));
        }
    }

    /** {@return every provider on the module path (or class path) that fits this platform, highest priority first} */
    public static List<ChannelProvider> all() {
        return Holder.FOUND.providers();
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
        return new Selection(SELECTOR.selectAndLog(all(), Holder.FOUND.skipped(),
                System.getProperty(PROVIDER_PROPERTY), LOG));
    }

    /**
     * Picks the provider for a side that will not ask for zero-copy: a migration's destination, which only
     * receives, or a source that copies (zero-copy off, TLS, a destination on the same host). It honours
     * {@value #PROVIDER_PROPERTY} like {@link #select()}. Without it, the available provider with the highest
     * priority among those that do not {@linkplain ChannelProvider#supportsZeroCopy() support zero-copy} is
     * chosen, and only where none is available the best of all: zero-copy is a way of sending
     * ({@code MSG_ZEROCOPY}, Linux {@code Documentation/networking/msg_zerocopy.rst}), so a side that does not
     * use it gains nothing from a zero-copy provider, which may cost more to start (the Linux provider starts the
     * FFM native linker in every fresh process, such as each one-shot {@code multifd receive} or {@code send}; see
     * {@code docs/design/jit-and-startup.md}) than the portable one, which moves bytes with the same one copy.
     *
     * @return the selection; nothing is logged when the copying choice is made
     * @throws IllegalStateException         if the property names no known provider
     * @throws UnsupportedOperationException if the property names an unavailable provider (with its cause)
     */
    public static Selection selectForCopying() {
        String requested = System.getProperty(PROVIDER_PROPERTY);
        if (requested != null && !requested.isBlank()) {
            return select();
        }
        return selectForCopying(all());
    }

    /**
     * Picks among the given candidates like {@link #selectForCopying()}, without the system property: the best
     * available provider without zero-copy, or where none is available the best of all. Exposed for tests and
     * tools that bring their own providers.
     *
     * @param candidates providers to choose from
     * @return the selection
     * @throws IllegalStateException if no candidate is available
     */
    public static Selection selectForCopying(List<ChannelProvider> candidates) {
        List<ChannelProvider> copying = candidates.stream().filter(p -> !p.supportsZeroCopy()).toList();
        if (copying.stream().noneMatch(ChannelProvider::isAvailable)) {
            return select(candidates, null);
        }
        return new Selection(SELECTOR.select(copying, List.of(), null));
    }

    /** Selection plus the one-time log line; separate from {@link #select()} so tests can feed providers. */
    static Selection selectAndLog(List<ChannelProvider> candidates, String requested, System.Logger log) {
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
    public static Selection select(List<ChannelProvider> candidates, String requested) {
        return new Selection(SELECTOR.select(candidates, List.of(), requested));
    }

    /**
     * Finds a provider by name.
     *
     * @param name the provider's name
     * @return the provider, available or not
     * @throws IllegalArgumentException if none has that name (the message lists what was found and what was
     *                                  not instantiated on this platform)
     */
    public static ChannelProvider named(String name) {
        return SELECTOR.named(all(), Holder.FOUND.skipped(), name);
    }

    private static final class Holder {
        // stream() names each provider's class before instantiating it: only classes that fit this platform
        // (io.channel.spi.SupportedPlatform) are instantiated. Constructors are cheap by contract; availability
        // is probed lazily by each provider.
        static final ProviderSelector.Found<ChannelProvider> FOUND = SELECTOR.load(
                ServiceLoader.load(ChannelProvider.class, ChannelProviders.class.getClassLoader()).stream(),
                System.getProperty("os.name"), System.getProperty("os.arch"));
    }
}
