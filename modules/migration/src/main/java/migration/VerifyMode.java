package migration;

import java.util.Locale;

/**
 * What the destination checks before it answers COMPLETE (parameter {@code verify}).
 */
public enum VerifyMode {
    /** No digests: the packet count only. */
    OFF,
    /**
     * Per-block CRC32C digests folded from the pages as they were sent and as they arrived: proves the transport
     * (every page that was sent arrived intact) at no extra pass over memory. It cannot see a page that dirty
     * tracking missed, since such a page was never sent. Under TLS, which authenticates every byte of every
     * channel, no page digests are taken: TLS and the packet count are the proof ({@link VerifiedBy#TLS}).
     */
    ON,
    /**
     * The digests of the final memory itself: while the source is paused for the last round (or, when not live,
     * after its single round), both sides read every block once and compare. Proves tracking as well as
     * transport; costs one read of the memory on each side inside the downtime, both sides at once.
     */
    FINAL;

    /** {@return the name used on the command line and in JSON: {@code off}, {@code on}, {@code final}} */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * {@return the mode of a name on the command line}
     * @param name {@code off}, {@code on} or {@code final}, in any case
     * @throws IllegalArgumentException naming the values accepted
     */
    public static VerifyMode of(String name) {
        for (VerifyMode mode : values()) {
            if (mode.jsonName().equals(name.strip().toLowerCase(Locale.ROOT))) {
                return mode;
            }
        }
        throw new IllegalArgumentException("Parameter 'verify' expects one of off, on, final, but got '" + name + "'");
    }
}
