package migration;

import io.channel.tls.TlsParameters;
import java.time.Duration;
import java.util.Set;

/**
 * How to migrate. Both sides take the same record; each uses the parts that concern it.
 *
 * @param channels           number of multifd channels, 1 to 255 (QEMU's {@code multifd-channels}); the source
 *                           announces it, the destination takes the source's number and ignores its own
 * @param zeroCopy           whether the source writes pages with zero-copy; unused by the destination
 * @param maxBandwidth       the source's limit in bytes per second across all channels, {@code 0} for none;
 *                           unused by the destination
 * @param provider           the channel provider to use by name ({@code "copy"}, {@code "linux"}), or
 *                           {@code null} for the best available one (see {@link io.channel.ChannelProviders}; a
 *                           destination takes the best one without zero-copy,
 *                           {@link io.channel.ChannelProviders#selectForCopying()})
 * @param setupTimeout       how long connecting all channels and the handshake may take; at the destination
 *                           also how long an accepted connection may take to identify itself
 * @param verification       source: which per-block digests to send at the end; destination: check them
 *                           ({@link VerifyMode}); {@link #verify()} tells whether there are any, and under TLS
 *                           verify {@code on} sends none and rests on TLS ({@link #digestsPages()})
 * @param livenessTimeout    how long the peer may stay silent (no frame on the main channel, no packet) before
 *                           the migration fails
 * @param progressTimeout    how long a multifd channel that has data to move may move none before the
 *                           migration fails naming the channel (a peer that sends heartbeats but does not read
 *                           its channels); also how long the destination waits for each handed-over block's
 *                           descriptor after COMPLETE
 * @param maxUnidentifiedConnections destination: how many accepted connections that have not yet identified
 *                           themselves are held at once, 2 to 4096; one more is closed at once (and counted). A
 *                           source connects all its channels before it sends a byte, so this must be at least its
 *                           channel count plus one; the default, 256, fits every source. Unused by the source
 * @param tls                TLS for the main channel and every multifd channel (QEMU's {@code tls-creds},
 *                           {@code tls-hostname}, {@code tls-authz}), or {@code null} for plain TCP. With TLS
 *                           nothing but the handshake crosses before the peer is authenticated, the TLS
 *                           handshake counts against {@code setupTimeout}, and zero-copy is impossible: {@code on}
 *                           fails, {@code auto} copies
 * @param roundTimeout       source, live only: how long after a round's end (ROUND_END) the destination may take to
 *                           say the round is in its memory (ROUND_RECEIVED) before the migration fails; the
 *                           application still runs then
 * @param switchoverTimeout  source: how long after COMPLETE the destination may take to answer with RESULT before
 *                           the migration fails and a live source resumes its application (this bounds the pause);
 *                           destination: twice this is how long after its RESULT the source may take to send COMMIT
 *                           before the destination ends with ownership {@link Ownership#UNKNOWN} (twice, so that a
 *                           source that gave up waiting for RESULT can say so first)
 * @param allowedPeerUids    destination over a Unix domain socket: the users (by uid) whose processes may connect
 *                           besides this process's own user, which always may; the kernel tells the user of the
 *                           process at the other end ({@code SO_PEERCRED}, {@code man 7 unix}) and a connection of
 *                           any other user is refused before a byte of it is read. Empty by default. Unused over TCP
 *                           and by the source
 */
public record MigrationParameters(int channels, ZeroCopyMode zeroCopy, long maxBandwidth, String provider,
                                  Duration setupTimeout, VerifyMode verification, Duration livenessTimeout,
                                  Duration progressTimeout, int maxUnidentifiedConnections, TlsParameters tls,
                                  Duration roundTimeout, Duration switchoverTimeout, Set<Integer> allowedPeerUids) {

    /** The longest timeout accepted. */
    public static final Duration MAX_SETUP_TIMEOUT = Duration.ofHours(24);
    /** The default setup, liveness and progress timeouts. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * The default round timeout: the wait starts once every channel's SYNC is written, so only the bytes still in
     * the sockets' buffers and the destination's round end are left; a minute is ample on any network.
     */
    public static final Duration DEFAULT_ROUND_TIMEOUT = Duration.ofSeconds(60);
    /**
     * The default switchover timeout: the destination's last bytes, its digest check (a read of all memory with
     * verify {@code final}) and a round trip; while it runs a live source's application is paused.
     */
    public static final Duration DEFAULT_SWITCHOVER_TIMEOUT = Duration.ofSeconds(30);
    /** The default of {@link #maxUnidentifiedConnections()}: the main channel and the most multifd channels. */
    public static final int DEFAULT_MAX_UNIDENTIFIED_CONNECTIONS = MigrationProtocol.MAX_CHANNELS + 1;
    /** The largest {@link #maxUnidentifiedConnections()} accepted. */
    public static final int MAX_UNIDENTIFIED_CONNECTIONS = 4096;

    /**
     * Validates the parameters, with messages in QEMU's style.
     *
     * @throws IllegalArgumentException naming the parameter and the values it accepts
     */
    public MigrationParameters {
        if (channels < 1 || channels > MigrationProtocol.MAX_CHANNELS) {
            throw new IllegalArgumentException("Parameter 'channels' expects a value between 1 and "
                    + MigrationProtocol.MAX_CHANNELS);
        }
        if (zeroCopy == null) {
            throw new IllegalArgumentException("Parameter 'zero-copy' expects one of on, auto, off");
        }
        if (maxBandwidth < 0) {
            throw new IllegalArgumentException("Parameter 'max-bandwidth' expects an integer in the range of 0 to "
                    + Long.MAX_VALUE + " bytes/second");
        }
        if (provider != null && provider.isBlank()) {
            throw new IllegalArgumentException("Parameter 'provider' expects the name of a channel provider"
                    + " (such as 'copy' or 'linux'), or none for the best available one");
        }
        checkTimeout("setup-timeout", setupTimeout);
        checkTimeout("liveness-timeout", livenessTimeout);
        checkTimeout("progress-timeout", progressTimeout);
        checkTimeout("round-timeout", roundTimeout);
        checkTimeout("switchover-timeout", switchoverTimeout);
        if (verification == null) {
            throw new IllegalArgumentException("Parameter 'verify' expects one of off, on, final");
        }
        if (maxUnidentifiedConnections < 2 || maxUnidentifiedConnections > MAX_UNIDENTIFIED_CONNECTIONS) {
            throw new IllegalArgumentException("Parameter 'max-unidentified-connections' expects a value between 2"
                    + " and " + MAX_UNIDENTIFIED_CONNECTIONS);
        }
        provider = provider == null ? null : provider.strip();
        if (allowedPeerUids == null || allowedPeerUids.stream().anyMatch(uid -> uid == null || uid < 0)) {
            throw new IllegalArgumentException("Parameter 'allow-uid' expects user ids of 0 or more, but got "
                    + allowedPeerUids);
        }
        allowedPeerUids = Set.copyOf(allowedPeerUids);
    }

    /**
     * The parameters that let only this process's own user connect over a Unix domain socket.
     *
     * @param channels                   number of multifd channels
     * @param zeroCopy                   the zero-copy mode
     * @param maxBandwidth               the bandwidth limit, 0 for none
     * @param provider                   the channel provider's name, or {@code null}
     * @param setupTimeout               the setup timeout
     * @param verification               the verification
     * @param livenessTimeout            the liveness timeout
     * @param progressTimeout            the progress timeout
     * @param maxUnidentifiedConnections the bound on unidentified connections
     * @param tls                        TLS, or {@code null}
     * @param roundTimeout               the round timeout
     * @param switchoverTimeout          the switchover timeout
     * @throws IllegalArgumentException naming the parameter and the values it accepts
     */
    public MigrationParameters(int channels, ZeroCopyMode zeroCopy, long maxBandwidth, String provider,
                               Duration setupTimeout, VerifyMode verification, Duration livenessTimeout,
                               Duration progressTimeout, int maxUnidentifiedConnections, TlsParameters tls,
                               Duration roundTimeout, Duration switchoverTimeout) {
        this(channels, zeroCopy, maxBandwidth, provider, setupTimeout, verification, livenessTimeout,
                progressTimeout, maxUnidentifiedConnections, tls, roundTimeout, switchoverTimeout, Set.of());
    }

    /**
     * The parameters with the default round and switchover timeouts.
     *
     * @param channels                   number of multifd channels
     * @param zeroCopy                   the zero-copy mode
     * @param maxBandwidth               the bandwidth limit, 0 for none
     * @param provider                   the channel provider's name, or {@code null}
     * @param setupTimeout               the setup timeout
     * @param verify                     whether to send or check digests of the pages as sent
     *                                   ({@link VerifyMode#ON} or {@link VerifyMode#OFF})
     * @param livenessTimeout            the liveness timeout
     * @param progressTimeout            the progress timeout
     * @param maxUnidentifiedConnections the bound on unidentified connections
     * @param tls                        TLS, or {@code null}
     * @throws IllegalArgumentException naming the parameter and the values it accepts
     */
    public MigrationParameters(int channels, ZeroCopyMode zeroCopy, long maxBandwidth, String provider,
                               Duration setupTimeout, boolean verify, Duration livenessTimeout,
                               Duration progressTimeout, int maxUnidentifiedConnections, TlsParameters tls) {
        this(channels, zeroCopy, maxBandwidth, provider, setupTimeout, verify ? VerifyMode.ON : VerifyMode.OFF,
                livenessTimeout, progressTimeout, maxUnidentifiedConnections, tls, DEFAULT_ROUND_TIMEOUT,
                DEFAULT_SWITCHOVER_TIMEOUT);
    }

    /**
     * The parameters without TLS (plain TCP).
     *
     * @param channels                   number of multifd channels
     * @param zeroCopy                   the zero-copy mode
     * @param maxBandwidth               the bandwidth limit, 0 for none
     * @param provider                   the channel provider's name, or {@code null}
     * @param setupTimeout               the setup timeout
     * @param verify                     whether to send or check digests
     * @param livenessTimeout            the liveness timeout
     * @param progressTimeout            the progress timeout
     * @param maxUnidentifiedConnections the bound on unidentified connections
     * @throws IllegalArgumentException naming the parameter and the values it accepts
     */
    public MigrationParameters(int channels, ZeroCopyMode zeroCopy, long maxBandwidth, String provider,
                               Duration setupTimeout, boolean verify, Duration livenessTimeout,
                               Duration progressTimeout, int maxUnidentifiedConnections) {
        this(channels, zeroCopy, maxBandwidth, provider, setupTimeout, verify, livenessTimeout, progressTimeout,
                maxUnidentifiedConnections, null);
    }

    /**
     * The parameters before the liveness and progress timeouts and the connection bound were parameters: those
     * take their defaults.
     *
     * @param channels     number of multifd channels
     * @param zeroCopy     the zero-copy mode
     * @param maxBandwidth the bandwidth limit, 0 for none
     * @param provider     the channel provider's name, or {@code null}
     * @param setupTimeout the setup timeout
     * @param verify       whether to send or check digests
     * @throws IllegalArgumentException naming the parameter and the values it accepts
     */
    public MigrationParameters(int channels, ZeroCopyMode zeroCopy, long maxBandwidth, String provider,
                               Duration setupTimeout, boolean verify) {
        this(channels, zeroCopy, maxBandwidth, provider, setupTimeout, verify, DEFAULT_TIMEOUT, DEFAULT_TIMEOUT,
                DEFAULT_MAX_UNIDENTIFIED_CONNECTIONS);
    }

    private static void checkTimeout(String name, Duration timeout) {
        if (timeout == null || timeout.toNanos() < 1_000_000 || timeout.compareTo(MAX_SETUP_TIMEOUT) > 0) {
            throw new IllegalArgumentException("Parameter '" + name + "' expects a duration between 1 ms and 24 h,"
                    + " but got " + timeout);
        }
    }

    /**
     * {@return 2 channels, zero-copy {@code auto}, unlimited bandwidth, the best available provider, 10 s setup,
     * liveness and progress timeouts, 60 s round and 30 s switchover timeouts, verification {@code on}, and at most 256
     * unidentified connections}
     */
    public static MigrationParameters defaults() {
        return new MigrationParameters(2, ZeroCopyMode.AUTO, 0, null, DEFAULT_TIMEOUT, true);
    }

    /**
     * {@return a copy with another number of channels}
     * @param value 1 to 255
     */
    public MigrationParameters withChannels(int value) {
        return new MigrationParameters(value, zeroCopy, maxBandwidth, provider, setupTimeout, verification,
                livenessTimeout, progressTimeout, maxUnidentifiedConnections, tls, roundTimeout, switchoverTimeout,
                allowedPeerUids);
    }

    /**
     * {@return a copy with another zero-copy mode}
     * @param value the mode
     */
    public MigrationParameters withZeroCopy(ZeroCopyMode value) {
        return new MigrationParameters(channels, value, maxBandwidth, provider, setupTimeout, verification,
                livenessTimeout, progressTimeout, maxUnidentifiedConnections, tls, roundTimeout, switchoverTimeout,
                allowedPeerUids);
    }

    /**
     * {@return a copy with another bandwidth limit}
     * @param bytesPerSecond the limit, 0 for none
     */
    public MigrationParameters withMaxBandwidth(long bytesPerSecond) {
        return new MigrationParameters(channels, zeroCopy, bytesPerSecond, provider, setupTimeout, verification,
                livenessTimeout, progressTimeout, maxUnidentifiedConnections, tls, roundTimeout, switchoverTimeout,
                allowedPeerUids);
    }

    /**
     * {@return a copy that uses the named channel provider}
     * @param name the provider's name, or {@code null} for the best available one
     */
    public MigrationParameters withProvider(String name) {
        return new MigrationParameters(channels, zeroCopy, maxBandwidth, name, setupTimeout, verification,
                livenessTimeout, progressTimeout, maxUnidentifiedConnections, tls, roundTimeout, switchoverTimeout,
                allowedPeerUids);
    }

    /**
     * {@return a copy with another setup timeout}
     * @param timeout how long setup may take
     */
    public MigrationParameters withSetupTimeout(Duration timeout) {
        return new MigrationParameters(channels, zeroCopy, maxBandwidth, provider, timeout, verification,
                livenessTimeout, progressTimeout, maxUnidentifiedConnections, tls, roundTimeout, switchoverTimeout,
                allowedPeerUids);
    }

    /**
     * {@return a copy with verification on or off}
     * @param value whether digests are sent (source) or checked (destination)
     */
    public MigrationParameters withVerify(boolean value) {
        return new MigrationParameters(channels, zeroCopy, maxBandwidth, provider, setupTimeout,
                value ? VerifyMode.ON : VerifyMode.OFF, livenessTimeout, progressTimeout, maxUnidentifiedConnections,
                tls, roundTimeout, switchoverTimeout, allowedPeerUids);
    }

    /**
     * {@return a copy with another liveness timeout}
     * @param timeout how long the peer may stay silent
     */
    public MigrationParameters withLivenessTimeout(Duration timeout) {
        return new MigrationParameters(channels, zeroCopy, maxBandwidth, provider, setupTimeout, verification,
                timeout, progressTimeout, maxUnidentifiedConnections, tls, roundTimeout, switchoverTimeout,
                allowedPeerUids);
    }

    /**
     * {@return a copy with another progress timeout}
     * @param timeout how long a channel with data to move may move none
     */
    public MigrationParameters withProgressTimeout(Duration timeout) {
        return new MigrationParameters(channels, zeroCopy, maxBandwidth, provider, setupTimeout, verification,
                livenessTimeout, timeout, maxUnidentifiedConnections, tls, roundTimeout, switchoverTimeout,
                allowedPeerUids);
    }

    /**
     * {@return a copy with another bound on unidentified connections}
     * @param value 2 to 4096, at least the source's channel count plus one
     */
    public MigrationParameters withMaxUnidentifiedConnections(int value) {
        return new MigrationParameters(channels, zeroCopy, maxBandwidth, provider, setupTimeout, verification,
                livenessTimeout, progressTimeout, value, tls, roundTimeout, switchoverTimeout, allowedPeerUids);
    }

    /**
     * {@return a copy with TLS on every channel, or plain TCP}
     * @param value the TLS parameters, or {@code null} for plain TCP
     */
    public MigrationParameters withTls(TlsParameters value) {
        return new MigrationParameters(channels, zeroCopy, maxBandwidth, provider, setupTimeout, verification,
                livenessTimeout, progressTimeout, maxUnidentifiedConnections, value, roundTimeout, switchoverTimeout,
                allowedPeerUids);
    }

    /**
     * {@return a copy with another verification}
     * @param value what the destination checks
     */
    public MigrationParameters withVerification(VerifyMode value) {
        return new MigrationParameters(channels, zeroCopy, maxBandwidth, provider, setupTimeout, value,
                livenessTimeout, progressTimeout, maxUnidentifiedConnections, tls, roundTimeout, switchoverTimeout,
                allowedPeerUids);
    }

    /**
     * {@return a copy with another round timeout}
     * @param timeout how long the destination may take to acknowledge a round
     */
    public MigrationParameters withRoundTimeout(Duration timeout) {
        return new MigrationParameters(channels, zeroCopy, maxBandwidth, provider, setupTimeout, verification,
                livenessTimeout, progressTimeout, maxUnidentifiedConnections, tls, timeout, switchoverTimeout,
                allowedPeerUids);
    }

    /**
     * {@return a copy with another switchover timeout}
     * @param timeout how long the RESULT after COMPLETE (source) or the COMMIT after RESULT (destination) may take
     */
    public MigrationParameters withSwitchoverTimeout(Duration timeout) {
        return new MigrationParameters(channels, zeroCopy, maxBandwidth, provider, setupTimeout, verification,
                livenessTimeout, progressTimeout, maxUnidentifiedConnections, tls, roundTimeout, timeout,
                allowedPeerUids);
    }

    /**
     * {@return a copy that also lets these users' processes connect over a Unix domain socket}
     * @param uids user ids, 0 or more; this process's own user may always connect
     */
    public MigrationParameters withAllowedPeerUids(Set<Integer> uids) {
        return new MigrationParameters(channels, zeroCopy, maxBandwidth, provider, setupTimeout, verification,
                livenessTimeout, progressTimeout, maxUnidentifiedConnections, tls, roundTimeout, switchoverTimeout,
                uids);
    }

    /**
     * {@return whether the migration is verified at all: {@code verification} is not off} With verify {@code on}
     * the destination checks page digests, or under TLS relies on TLS ({@link #digestsPages()}); with verify
     * {@code final} both sides digest their final memory.
     */
    public boolean verify() {
        return verification != VerifyMode.OFF;
    }

    /**
     * {@return whether each side takes the CRC32C of every page it moves, for the digests of verify {@code on}
     * (PROTOCOL.md §2.4): verification is not off and the channels run without TLS} Under TLS every byte of every
     * channel is authenticated by the record layer before it is used (RFC 8446 section 5.2), so page digests would
     * pay twice for what TLS has proven; verify {@code on} then rests on TLS and the packet count
     * ({@link VerifiedBy#TLS}), and verify {@code final} compares the final memory as without TLS.
     */
    public boolean digestsPages() {
        return verify() && tls == null;
    }
}
