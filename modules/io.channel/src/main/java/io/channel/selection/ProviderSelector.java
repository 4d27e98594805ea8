package io.channel.selection;

import io.channel.spi.SupportedPlatform;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * How {@code io.channel} picks one of the providers {@link ServiceLoader} finds, for channels
 * ({@link io.channel.ChannelProviders}) and memory ({@link io.channel.memory.MemoryProviders}) alike: only
 * provider classes whose {@link SupportedPlatform} fits are instantiated; a system property can name the one
 * to use; otherwise the available one with the highest priority wins; passing one over is said once, at INFO.
 *
 * @param <P> the provider interface
 */
public final class ProviderSelector<P> {

    /** Lines already logged, so that each choice is told once per JVM. */
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private final String kind;
    private final String property;
    private final Function<P, String> name;
    private final ToIntFunction<P> priority;
    private final Function<P, Throwable> cause;

    /**
     * What loading found.
     *
     * @param providers the instantiated providers, highest priority first
     * @param skipped   one exception per provider class that was not instantiated, saying why
     * @param <P>       the provider interface
     */
    public record Found<P>(List<P> providers, List<Exception> skipped) {
    }

    /**
     * The outcome of a selection.
     *
     * @param chosen     the provider to use
     * @param candidates every provider considered, highest priority first
     * @param rejections why each passed-over provider was not chosen (one suppressed exception each)
     * @param forced     whether the property (or a caller's request) named it
     * @param <P>        the provider interface
     */
    public record Choice<P>(P chosen, List<P> candidates, Exception rejections, boolean forced) {
    }

    /**
     * Creates a selector.
     *
     * @param kind     what is selected, for messages, such as {@code "channel provider"}
     * @param property the system property that names the provider to use
     * @param name     a provider's name
     * @param priority a provider's priority
     * @param cause    a provider's unavailability cause, {@code null} when available
     */
    public ProviderSelector(String kind, String property, Function<P, String> name, ToIntFunction<P> priority,
                            Function<P, Throwable> cause) {
        this.kind = kind;
        this.property = property;
        this.name = name;
        this.priority = priority;
        this.cause = cause;
    }

    /**
     * Instantiates the providers whose class fits this platform, each class once, and keeps the first of each
     * name.
     *
     * @param listed what {@link ServiceLoader#stream()} lists
     * @param osName {@code os.name}
     * @param osArch {@code os.arch}
     * @return the providers and the classes passed over
     */
    public Found<P> load(Stream<ServiceLoader.Provider<P>> listed, String osName, String osArch) {
        List<P> providers = new ArrayList<>();
        List<Exception> skipped = new ArrayList<>();
        Set<Class<?>> types = new HashSet<>();
        Set<String> names = new HashSet<>();
        listed.forEach(listing -> {
            Class<? extends P> type = listing.type();
            if (!types.add(type)) {
                return;
            }
            String misfit = misfit(type, osName, osArch);
            if (misfit != null) {
                skipped.add(new Exception("'" + type.getName() + "' (not instantiated: " + misfit + ")"));
                return;
            }
            P provider = listing.get();
            if (names.add(name.apply(provider))) {
                providers.add(provider);
            }
        });
        return new Found<>(sorted(providers), List.copyOf(skipped));
    }

    /**
     * {@return why a provider class cannot work on this platform, or {@code null} if it may}
     *
     * @param type   the provider class
     * @param osName {@code os.name}
     * @param osArch {@code os.arch}
     */
    static String misfit(Class<?> type, String osName, String osArch) {
        SupportedPlatform platform = type.getAnnotation(SupportedPlatform.class);
        if (platform == null) {
            return null;
        }
        String os = Objects.requireNonNullElse(osName, "").toLowerCase(Locale.ROOT);
        String arch = Objects.requireNonNullElse(osArch, "").toLowerCase(Locale.ROOT);
        boolean osFits = platform.os().length == 0 || Arrays.stream(platform.os()).anyMatch(os::startsWith);
        boolean archFits = platform.arch().length == 0 || Arrays.asList(platform.arch()).contains(arch);
        if (osFits && archFits) {
            return null;
        }
        return "it supports only " + oneOf(platform.os(), "any OS") + " on " + oneOf(platform.arch(), "any")
                + ", this is " + osName + " on " + osArch;
    }

    private static String oneOf(String[] values, String ifEmpty) {
        return values.length == 0 ? ifEmpty : String.join("/", values);
    }

    /**
     * Picks among candidates: the one {@code requested} names, or the available one with the highest priority.
     *
     * @param candidates providers to choose from
     * @param skipped    provider classes not instantiated, reported as rejections
     * @param requested  a provider name, or {@code null} or blank for the best available one
     * @return the choice
     * @throws IllegalStateException         if {@code requested} names no candidate, or none is available
     * @throws UnsupportedOperationException if {@code requested} names an unavailable provider
     */
    public Choice<P> select(List<P> candidates, List<Exception> skipped, String requested) {
        List<P> sorted = sorted(candidates);
        Exception rejections = new Exception("rejected " + kind + "s");
        skipped.forEach(rejections::addSuppressed);
        if (requested != null && !requested.isBlank()) {
            String wanted = requested.strip();
            P match = find(sorted, wanted);
            if (match == null) {
                throw new IllegalStateException("-D" + property + "=" + wanted + " names no " + kind + "; "
                        + found(sorted, skipped));
            }
            ensureAvailable(match);
            for (P other : sorted) {
                if (other != match) {
                    rejections.addSuppressed(new Exception("'" + name.apply(other) + "' (not requested)"));
                }
            }
            return new Choice<>(match, sorted, rejections, true);
        }
        for (P provider : sorted) {
            Throwable unavailable = cause.apply(provider);
            if (unavailable == null) {
                return new Choice<>(provider, sorted, rejections, false);
            }
            rejections.addSuppressed(new Exception("'" + name.apply(provider) + "': " + unavailable.getMessage(),
                    unavailable));
        }
        IllegalStateException none = new IllegalStateException("no " + kind + " is available on "
                + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + "; found: " + names(sorted));
        for (Throwable rejected : rejections.getSuppressed()) {
            none.addSuppressed(rejected);
        }
        throw none;
    }

    /**
     * {@link #select(List, List, String)}, then one line at INFO on {@code log} if a provider was passed over
     * (at DEBUG otherwise, with each rejection's details), each distinct line once per JVM.
     *
     * @param candidates providers to choose from
     * @param skipped    provider classes not instantiated
     * @param requested  a provider name, or {@code null} or blank for the best available one
     * @param log        where to say it
     * @return the choice
     */
    public Choice<P> selectAndLog(List<P> candidates, List<Exception> skipped, String requested,
                                  System.Logger log) {
        Choice<P> choice = select(candidates, skipped, requested);
        String line = describe(choice);
        Throwable[] rejected = choice.rejections().getSuppressed();
        if (LOGGED.add(line)) {
            log.log(rejected.length > 0 ? Level.INFO : Level.DEBUG, line);
            for (Throwable each : rejected) {
                log.log(Level.DEBUG, kind + " rejected", each);
            }
        }
        return choice;
    }

    /**
     * {@return a one-line account of a choice, naming the rejected providers and their causes}
     *
     * @param choice the choice
     */
    public String describe(Choice<P> choice) {
        String chosen = name.apply(choice.chosen());
        StringBuilder text = new StringBuilder("using ").append(kind).append(" '").append(chosen).append('\'');
        if (choice.forced()) {
            text.append(" (forced by -D").append(property).append('=').append(chosen).append(')');
        }
        for (Throwable rejected : choice.rejections().getSuppressed()) {
            text.append("; passed over ").append(rejected.getMessage());
        }
        return text.toString();
    }

    /**
     * Finds a provider by name.
     *
     * @param providers the providers found
     * @param skipped   provider classes not instantiated, listed in the failure
     * @param wanted    the name
     * @return the provider, available or not
     * @throws IllegalArgumentException if none has that name
     */
    public P named(List<P> providers, List<Exception> skipped, String wanted) {
        Objects.requireNonNull(wanted, "name");
        P match = find(providers, wanted);
        if (match == null) {
            throw new IllegalArgumentException("no " + kind + " named '" + wanted + "'; " + found(providers, skipped));
        }
        return match;
    }

    private P find(List<P> providers, String wanted) {
        return providers.stream().filter(p -> name.apply(p).equals(wanted)).findFirst().orElse(null);
    }

    /** {@return "found: [names]", then each provider class not instantiated and why} */
    private String found(List<P> providers, List<Exception> skipped) {
        return "found: " + names(providers)
                + skipped.stream().map(e -> "; passed over " + e.getMessage()).collect(Collectors.joining());
    }

    /**
     * Throws unless the provider is available.
     *
     * @param provider the provider
     * @throws UnsupportedOperationException naming the provider, with the cause attached
     */
    public void ensureAvailable(P provider) {
        Throwable unavailable = cause.apply(provider);
        if (unavailable != null) {
            throw new UnsupportedOperationException(kind + " '" + name.apply(provider) + "' is unavailable: "
                    + unavailable.getMessage(), unavailable);
        }
    }

    private List<P> sorted(List<P> providers) {
        List<P> sorted = new ArrayList<>(providers);
        sorted.sort(Comparator.comparingInt(priority).reversed().thenComparing(name));
        return List.copyOf(sorted);
    }

    private String names(List<P> providers) {
        return providers.stream().map(name).collect(Collectors.joining(", ", "[", "]"));
    }
}
