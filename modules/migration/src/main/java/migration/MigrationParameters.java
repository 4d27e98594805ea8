package migration;

import java.time.Duration;
import java.util.Objects;

/**
 * How to migrate. Both sides take the same record; each uses the parts that concern it.
 *
 * @param channels     number of multifd channels, 1 to 255 (QEMU's {@code multifd-channels}); the source
 *                     announces it, the destination takes the source's number and ignores its own
 * @param zeroCopy     whether the source writes pages with zero-copy; unused by the destination
 * @param maxBandwidth the source's limit in bytes per second across all channels, {@code 0} for none;
 *                     unused by the destination
 * @param provider     the channel provider to use by name ({@code "copy"}, {@code "linux"}), or
 *                     {@code null} for the best available one (see {@link io.channel.ChannelProviders})
 * @param setupTimeout how long connecting all channels and the handshake may take
 * @param verify       source: send per-block digests at the end; destination: check them
 */
public record MigrationParameters(int channels, ZeroCopyMode zeroCopy, long maxBandwidth, String provider,
                                  Duration setupTimeout, boolean verify) {

    /** The longest setup timeout accepted. */
    public static final Duration MAX_SETUP_TIMEOUT = Duration.ofHours(24);

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
        Objects.requireNonNull(setupTimeout, "setupTimeout");
        if (setupTimeout.isNegative() || setupTimeout.isZero() || setupTimeout.compareTo(MAX_SETUP_TIMEOUT) > 0) {
            throw new IllegalArgumentException("Parameter 'setup-timeout' expects a duration between 1 ms and 24 h,"
                    + " but got " + setupTimeout);
        }
        if (setupTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("Parameter 'setup-timeout' expects a duration between 1 ms and 24 h,"
                    + " but got " + setupTimeout);
        }
        provider = provider == null ? null : provider.strip();
    }

    /**
     * {@return 2 channels, zero-copy {@code auto}, unlimited bandwidth, the best available provider, a 10 s
     * setup timeout, and verification on}
     */
    public static MigrationParameters defaults() {
        return new MigrationParameters(2, ZeroCopyMode.AUTO, 0, null, Duration.ofSeconds(10), true);
    }

    /**
     * {@return a copy with another number of channels}
     * @param value 1 to 255
     */
    public MigrationParameters withChannels(int value) {
        return new MigrationParameters(value, zeroCopy, maxBandwidth, provider, setupTimeout, verify);
    }

    /**
     * {@return a copy with another zero-copy mode}
     * @param value the mode
     */
    public MigrationParameters withZeroCopy(ZeroCopyMode value) {
        return new MigrationParameters(channels, value, maxBandwidth, provider, setupTimeout, verify);
    }

    /**
     * {@return a copy with another bandwidth limit}
     * @param bytesPerSecond the limit, 0 for none
     */
    public MigrationParameters withMaxBandwidth(long bytesPerSecond) {
        return new MigrationParameters(channels, zeroCopy, bytesPerSecond, provider, setupTimeout, verify);
    }

    /**
     * {@return a copy that uses the named channel provider}
     * @param name the provider's name, or {@code null} for the best available one
     */
    public MigrationParameters withProvider(String name) {
        return new MigrationParameters(channels, zeroCopy, maxBandwidth, name, setupTimeout, verify);
    }

    /**
     * {@return a copy with another setup timeout}
     * @param timeout how long setup may take
     */
    public MigrationParameters withSetupTimeout(Duration timeout) {
        return new MigrationParameters(channels, zeroCopy, maxBandwidth, provider, timeout, verify);
    }

    /**
     * {@return a copy with verification on or off}
     * @param value whether digests are sent (source) or checked (destination)
     */
    public MigrationParameters withVerify(boolean value) {
        return new MigrationParameters(channels, zeroCopy, maxBandwidth, provider, setupTimeout, value);
    }
}
