package migration.session;

import io.channel.ChannelProviders;
import io.channel.SocketAddressText;
import io.channel.spi.ChannelProvider;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
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
 * @param givenBySetup     whether copying follows from the setup itself (TLS, a destination on this host), so
 *                         that the statistics' reason is all there is to say
 */
public record ZeroCopyPlan(ChannelProvider provider, boolean requestZeroCopy, String reason, boolean givenBySetup) {

    private ZeroCopyPlan(ChannelProvider provider, boolean requestZeroCopy, String reason) {
        this(provider, requestZeroCopy, reason, false);
    }

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
    /** Why {@code zero-copy=on} fails over a Unix domain socket. */
    public static final String UNIX_SOCKET_REFUSES_ZERO_COPY = "zero-copy was required (zero-copy=on), but a Unix"
            + " domain socket has none (MSG_ZEROCOPY is for TCP and UDP, Documentation/networking/msg_zerocopy.rst);"
            + " on one host, hand the memory over instead (RamBlock.memfd)";
    /** The reason {@code auto} copies over a Unix domain socket. */
    public static final String COPYING_OVER_UNIX_SOCKET = "a Unix domain socket has no zero-copy send (MSG_ZEROCOPY is"
            + " for TCP and UDP); copying";

    /**
     * Chooses the provider and decides about zero-copy, for plain TCP to a destination not known to be local.
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
        return choose(mode, requested, candidates, osName, false, null);
    }

    /**
     * Chooses the provider and decides about zero-copy.
     *
     * <p>Zero-copy is the only reason to prefer a zero-copy provider, so a source that will not ask for it
     * (zero-copy off, TLS, or {@code auto} to a destination where the best zero-copy provider
     * {@linkplain ChannelProvider#zeroCopyCopiesTo knows} the kernel would copy anyway) takes the best provider
     * without zero-copy, as a destination does ({@link ChannelProviders#selectForCopying()}), and never starts
     * the zero-copy one: starting the Linux provider's native linker is a cost that a one-shot {@code multifd
     * send} would pay for nothing. A provider named in the parameters or by {@code -Dio.channel.provider} is used as named.
     *
     * @param mode        the requested zero-copy mode
     * @param requested   the provider name from the parameters, or {@code null}
     * @param candidates  the providers to choose from, or {@code null} for those found by
     *                    {@link ChannelProviders} (which honours {@code -Dio.channel.provider})
     * @param osName      the value of {@code os.name}
     * @param tls         whether the channels run TLS, which rules zero-copy out
     * @param destination where the source connects, or {@code null} if not known yet; a Unix domain socket
     *                    copies, as TLS does
     * @return the plan
     * @throws MigrationException if no provider can be used, or zero-copy is required and cannot work; the
     *                            message uses QEMU's words where they fit
     */
    public static ZeroCopyPlan choose(ZeroCopyMode mode, String requested, List<ChannelProvider> candidates,
                                      String osName, boolean tls, SocketAddress destination)
            throws MigrationException {
        return choose(mode, requested, candidates, osName, tls, destination, true);
    }

    /**
     * Chooses the provider and decides about zero-copy, knowing whether the source has memory to hand over.
     *
     * @param mode        the requested zero-copy mode
     * @param requested   the provider name from the parameters, or {@code null}
     * @param candidates  the providers to choose from, or {@code null} for those found by {@link ChannelProviders}
     * @param osName      the value of {@code os.name}
     * @param tls         whether the channels run TLS
     * @param destination where the source connects, or {@code null}
     * @param handsOver   whether some block was made to be handed over: over a Unix domain socket the best
     *                    provider is taken then (its sockets may pass descriptors), else the best copying one, as
     *                    to a destination on this host over TCP
     * @return the plan
     * @throws MigrationException if no provider can be used, or zero-copy is required and cannot work
     */
    public static ZeroCopyPlan choose(ZeroCopyMode mode, String requested, List<ChannelProvider> candidates,
                                      String osName, boolean tls, SocketAddress destination, boolean handsOver)
            throws MigrationException {
        if (tls && mode == ZeroCopyMode.ON) {
            throw new MigrationException(TLS_REFUSES_ZERO_COPY);
        }
        boolean unix = destination instanceof UnixDomainSocketAddress;
        if (unix && mode == ZeroCopyMode.ON) {
            throw new MigrationException(UNIX_SOCKET_REFUSES_ZERO_COPY);
        }
        if (mode == ZeroCopyMode.ON && !osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            throw new MigrationException("Zero copy currently only available on Linux (this is " + osName + ")");
        }
        List<ChannelProvider> all = candidates != null ? candidates : ChannelProviders.all();
        String property = candidates != null ? null : System.getProperty(ChannelProviders.PROVIDER_PROPERTY);
        boolean named = requested != null || (property != null && !property.isBlank());
        // A named provider is used as named, so only an unnamed choice asks whether this host copies anyway.
        boolean sameHost = !named && mode == ZeroCopyMode.AUTO && destination instanceof InetSocketAddress inet
                && copiedByTheKernel(all, inet);
        boolean copying = !named && (mode == ZeroCopyMode.OFF || tls || sameHost) && !unix;
        ChannelProviders.Selection selection;
        try {
            if (unix && !named && handsOver) {
                // The best provider, not the best copying one: over a Unix domain socket the Linux provider's own
                // sockets can hand memory over (pass descriptors), which the portable provider's cannot.
                selection = ChannelProviders.select(all, null);
            } else if (unix && !named) {
                // Nothing to hand over: every page is copied, and starting the Linux provider's native linker
                // would cost a one-shot send more than its sockets save, as on loopback TCP.
                selection = ChannelProviders.selectForCopying(all);
            } else if (copying) {
                // Nothing named, so no property to honour: the list form is the whole choice.
                selection = ChannelProviders.selectForCopying(all);
            } else if (candidates != null) {
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
            return new ZeroCopyPlan(provider, false, COPYING_FOR_TLS, true);
        }
        if (unix) {
            return new ZeroCopyPlan(provider, false, COPYING_OVER_UNIX_SOCKET, true);
        }
        if (sameHost) {
            return new ZeroCopyPlan(provider, false, sameHost((InetSocketAddress) destination), true);
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

    /**
     * {@return the reason {@code auto} copies to {@code destination}, an address of this host}
     * @param destination where the source connects
     */
    public static String sameHost(InetSocketAddress destination) {
        return "the destination " + SocketAddressText.of(destination) + " is on this host, where the kernel copies"
                + " every zero-copy send (same-host TCP such as loopback always does); copying";
    }

    /** Whether the best zero-copy candidate knows, without probing, that the kernel copies sends there anyway. */
    private static boolean copiedByTheKernel(List<ChannelProvider> all, InetSocketAddress destination) {
        return all.stream().filter(ChannelProvider::supportsZeroCopy).findFirst()
                .map(p -> p.zeroCopyCopiesTo(destination)).orElse(false);
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
