package migration.session;

import io.channel.ChannelProviders;
import io.channel.spi.ChannelProvider;
import java.util.List;
import java.util.Locale;
import migration.MigrationException;
import migration.ZeroCopyMode;

/**
 * The source's choice of channel provider and whether to ask it for zero-copy, made before any byte moves.
 *
 * @param provider         the provider to connect with
 * @param requestZeroCopy  whether to ask for {@link io.channel.Feature#WRITE_ZERO_COPY} on multifd channels
 * @param reason           in words, why zero-copy is or is not asked for
 */
public record ZeroCopyPlan(ChannelProvider provider, boolean requestZeroCopy, String reason) {

    /** The reason while zero-copy works. */
    public static final String IN_EFFECT = "zero-copy in effect";
    /** The reason when zero-copy was switched off. */
    public static final String OFF_BY_REQUEST = "off by request";
    /** Said when no provider on the module path can do zero-copy. */
    public static final String NO_ZERO_COPY_PROVIDER =
            "no zero-copy channel provider found (module io.channel.linux is not on the module path)";

    /** QEMU's refusal of zero-copy with TLS ({@code migration/options.c}), word for word. */
    public static final String TLS_REFUSES_ZERO_COPY =
            "Zero copy only available for non-compressed non-TLS multifd migration";
    /** The reason {@code auto} copies under TLS. */
    public static final String COPYING_FOR_TLS =
            "TLS encrypts every page into its own buffer before sending, so zero-copy cannot work; copying";

    /**
     * Chooses the provider and decides about zero-copy, for plain TCP.
     *
     * @param mode       the requested zero-copy mode
     * @param requested  the provider name from the parameters, or {@code null}
     * @param candidates the providers to choose from, or {@code null} for those found by {@link ChannelProviders}
     * @param osName     the value of {@code os.name}
     * @return the plan
     * @throws MigrationException if no provider can be used, or zero-copy is required and cannot work
     */
    public static ZeroCopyPlan choose(ZeroCopyMode mode, String requested, List<ChannelProvider> candidates,
                                      String osName) throws MigrationException {
        return choose(mode, requested, candidates, osName, false);
    }

    /**
     * Chooses the provider and decides about zero-copy.
     *
     * @param mode       the requested zero-copy mode
     * @param requested  the provider name from the parameters, or {@code null}
     * @param candidates the providers to choose from, or {@code null} for those found by
     *                   {@link ChannelProviders} (which honours {@code -Dio.channel.provider})
     * @param osName     the value of {@code os.name}
     * @param tls        whether the channels run TLS, which rules zero-copy out
     * @return the plan
     * @throws MigrationException if no provider can be used, or zero-copy is required and cannot work; the
     *                            message uses QEMU's words where they fit
     */
    public static ZeroCopyPlan choose(ZeroCopyMode mode, String requested, List<ChannelProvider> candidates,
                                      String osName, boolean tls) throws MigrationException {
        if (tls && mode == ZeroCopyMode.ON) {
            throw new MigrationException(TLS_REFUSES_ZERO_COPY);
        }
        if (mode == ZeroCopyMode.ON && !osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            throw new MigrationException("Zero copy currently only available on Linux (this is " + osName + ")");
        }
        List<ChannelProvider> all = candidates != null ? candidates : ChannelProviders.all();
        ChannelProviders.Selection selection;
        try {
            if (candidates != null) {
                selection = ChannelProviders.select(candidates, requested);
            } else if (requested != null) {
                selection = ChannelProviders.select(all, requested);
            } else {
                selection = ChannelProviders.select();
            }
        } catch (RuntimeException e) {
            throw new MigrationException("no usable channel provider: " + e.getMessage(), e);
        }
        ChannelProvider provider = selection.chosen();
        if (mode == ZeroCopyMode.OFF) {
            return new ZeroCopyPlan(provider, false, OFF_BY_REQUEST);
        }
        if (tls) {
            return new ZeroCopyPlan(provider, false, COPYING_FOR_TLS);
        }
        if (provider.supportsZeroCopy()) {
            return new ZeroCopyPlan(provider, true, IN_EFFECT);
        }
        String why = whyNot(provider, requested, selection.forced(), all);
        if (mode == ZeroCopyMode.ON) {
            throw new MigrationException("zero-copy was required (zero-copy=on), but " + why);
        }
        return new ZeroCopyPlan(provider, false, why + "; copying");
    }

    private static String whyNot(ChannelProvider chosen, String requested, boolean forced,
                                 List<ChannelProvider> all) {
        StringBuilder text = new StringBuilder();
        if (requested != null || forced) {
            text.append("channel provider '").append(chosen.name()).append("' was chosen ")
                    .append(requested != null ? "by request" : "by -D" + ChannelProviders.PROVIDER_PROPERTY + "="
                            + chosen.name())
                    .append(" and always copies; ");
        }
        List<ChannelProvider> zeroCopy = all.stream().filter(ChannelProvider::supportsZeroCopy).toList();
        if (zeroCopy.isEmpty()) {
            text.append(NO_ZERO_COPY_PROVIDER);
            return text.toString();
        }
        String sep = "";
        for (ChannelProvider candidate : zeroCopy) {
            Throwable cause = candidate.unavailabilityCause();
            text.append(sep).append("the ").append(candidate.name()).append(" provider is ")
                    .append(cause == null ? "available but was not chosen" : "unavailable: " + cause.getMessage());
            sep = "; ";
        }
        return text.toString();
    }
}
