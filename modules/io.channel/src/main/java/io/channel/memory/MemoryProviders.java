package io.channel.memory;

import io.channel.selection.ProviderSelector;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Finds memory providers and picks the one to use, exactly as {@link io.channel.ChannelProviders} does for
 * channels.
 *
 * <p>Selection takes the available provider with the highest priority: {@code linux} (100, module
 * {@code io.channel.linux}) over {@code portable} (0). The system property {@value #PROVIDER_PROPERTY}
 * overrides it with a provider name: {@code -Dio.channel.memory.provider=portable} forces
 * {@link java.lang.foreign.Arena#allocate} memory, {@code -Dio.channel.memory.provider=linux} insists on the
 * Linux provider (and fails, with its cause, where that is unavailable). When a provider is passed over, one
 * line at INFO level on the {@code io.channel} {@link System.Logger} says which one was chosen and why the
 * others were not. A provider class whose {@link io.channel.spi.SupportedPlatform} does not fit is never
 * instantiated.
 */
public final class MemoryProviders {

    /** The system property naming the memory provider to use; unset or empty means "best available". */
    public static final String PROVIDER_PROPERTY = "io.channel.memory.provider";

    private static final System.Logger LOG = System.getLogger("io.channel");
    private static final ProviderSelector<MemoryProvider> SELECTOR = new ProviderSelector<>("memory provider",
            PROVIDER_PROPERTY, MemoryProvider::name, MemoryProvider::priority, MemoryProvider::unavailabilityCause);

    private MemoryProviders() {
    }

    /**
     * The outcome of a selection.
     *
     * @param chosen     the provider to use
     * @param candidates every provider found, highest priority first
     * @param rejections why each passed-over provider was not chosen (one suppressed exception each)
     * @param forced     whether {@value #PROVIDER_PROPERTY} chose it
     */
    public record Selection(MemoryProvider chosen, List<MemoryProvider> candidates, Exception rejections,
                            boolean forced) {

        private Selection(ProviderSelector.Choice<MemoryProvider> choice) {
            this(choice.chosen(), choice.candidates(), choice.rejections(), choice.forced());
        }

        /** {@return a one-line account of the choice, naming rejected providers and their causes} */
        public String describe() {
            return SELECTOR.describe(new ProviderSelector.Choice<>(chosen, candidates, rejections, forced));
        }
    }

    /** {@return every memory provider found that fits this platform, highest priority first} */
    public static List<MemoryProvider> all() {
        return Holder.FOUND.providers();
    }

    /**
     * Picks the provider to use here, honouring {@value #PROVIDER_PROPERTY}, and logs the choice once when a
     * provider was passed over. {@link PageMemory} makes this choice once per JVM.
     *
     * @return the selection
     * @throws IllegalStateException         if the property names no known provider
     * @throws UnsupportedOperationException if the property names an unavailable provider (with its cause)
     */
    public static Selection select() {
        return new Selection(SELECTOR.selectAndLog(all(), Holder.FOUND.skipped(),
                System.getProperty(PROVIDER_PROPERTY), LOG));
    }

    /** Selection plus the one-time log line; separate from {@link #select()} so tests can feed providers. */
    static Selection selectAndLog(List<MemoryProvider> candidates, String requested, System.Logger log) {
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
    public static Selection select(List<MemoryProvider> candidates, String requested) {
        return new Selection(SELECTOR.select(candidates, List.of(), requested));
    }

    /**
     * Finds a provider by name.
     *
     * @param name the provider's name
     * @return the provider, available or not
     * @throws IllegalArgumentException if none has that name
     */
    public static MemoryProvider named(String name) {
        return SELECTOR.named(all(), Holder.FOUND.skipped(), name);
    }

    private static final class Holder {
        static final ProviderSelector.Found<MemoryProvider> FOUND = SELECTOR.load(
                ServiceLoader.load(MemoryProvider.class, MemoryProviders.class.getClassLoader()).stream(),
                System.getProperty("os.name"), System.getProperty("os.arch"));
    }
}
