package tests;

import io.channel.ChannelProviders;
import io.channel.spi.ChannelProvider;
import org.junit.jupiter.api.Assumptions;

/** The Linux channel provider for tests that need it, and the skip (with its cause) where it is not there. */
public final class LinuxProvider {

    private LinuxProvider() {
    }

    /**
     * {@return the Linux channel provider, available}
     * The calling test is skipped, with the cause, on a host where the provider is not instantiated at all (not
     * Linux, not a supported architecture: {@link ChannelProviders#named} then throws) or is unavailable.
     */
    public static ChannelProvider required() {
        ChannelProvider linux;
        try {
            linux = ChannelProviders.named("linux");
        } catch (IllegalArgumentException absent) {
            throw new org.opentest4j.TestAbortedException("Linux provider absent: " + absent.getMessage(), absent);
        }
        Assumptions.assumeTrue(linux.isAvailable(), () -> "Linux provider unavailable: " + linux.unavailabilityCause());
        return linux;
    }
}
