package migration;

import java.util.Locale;

/**
 * Whether the source sends pages with zero-copy writes ({@link io.channel.WriteFlag#ZERO_COPY}).
 *
 * <p>Zero-copy is a send-side feature: it only changes how the source hands pages to the kernel. The
 * destination reads the same bytes either way.
 */
public enum ZeroCopyMode {
    /**
     * Zero-copy is required: the migration fails before a byte moves where it cannot work (not Linux, no
     * zero-copy channel provider, or the kernel refuses {@code SO_ZEROCOPY}). Like QEMU's
     * {@code zero-copy-send} capability.
     */
    ON,
    /**
     * Zero-copy where a zero-copy provider is available, copying elsewhere; a channel whose first flush
     * reports that the kernel copied everything anyway (same-host TCP) switches to copying writes. The
     * statistics say which happened and why.
     */
    AUTO,
    /** Copying writes only. */
    OFF;

    /**
     * Parses {@code on}, {@code auto} or {@code off}, ignoring case and surrounding blanks.
     *
     * @param text the text to parse
     * @return the mode
     * @throws IllegalArgumentException if the text is none of these, naming the accepted values
     */
    public static ZeroCopyMode parse(String text) {
        if (text != null) {
            switch (text.strip().toLowerCase(Locale.ROOT)) {
                case "on" -> {
                    return ON;
                }
                case "auto" -> {
                    return AUTO;
                }
                case "off" -> {
                    return OFF;
                }
                default -> {
                    // fall through to the error below
                }
            }
        }
        throw new IllegalArgumentException("Parameter 'zero-copy' expects one of on, auto, off, but got '"
                + text + "'");
    }

    /** {@return the lower-case name used in JSON and on command lines: {@code on}, {@code auto}, {@code off}} */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
