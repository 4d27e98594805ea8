package migration;

import java.util.Locale;

/**
 * What proved, at the destination, that the memory arrived intact ({@link MigrationStats#verifiedBy()}); see
 * {@code PROTOCOL.md} §2.4.
 */
public enum VerifiedBy {
    /** Nothing: verification was off, or the migration did not complete verified. */
    NONE,
    /**
     * Verify {@code on} over plain TCP: the per-block CRC32C folded from every page as it was sent, compared with
     * the one folded from every page as it arrived.
     */
    PAGE_DIGESTS,
    /**
     * Verify {@code on} under TLS: every record of every channel was authenticated (AES-GCM or ChaCha20-Poly1305,
     * with the record's sequence number, RFC 8446 section 5.2) before its bytes were used, and the count of data
     * packets in COMPLETE matched. Page digests would prove nothing more about the transport, so neither side takes
     * them.
     */
    TLS,
    /**
     * Verify {@code final}: the CRC32C of each block's final memory, read by both sides after the last round. This
     * proves dirty tracking as well as transport, with or without TLS.
     */
    FINAL_MEMORY;

    /** {@return the name used in JSON: {@code none}, {@code page-digests}, {@code tls}, {@code final-memory}} */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * {@return what verified a migration that the destination reported verified, as the source knows it} The
     * source cannot see what the destination compared, but the destination's rule makes it follow from the
     * source's own parameters: it compares the final-memory digests the source sends with verify {@code final},
     * trusts TLS where the source sends no digests, and otherwise compares page digests.
     * @param parameters the source's parameters
     */
    public static VerifiedBy atSource(MigrationParameters parameters) {
        if (parameters.verification() == VerifyMode.FINAL) {
            return FINAL_MEMORY;
        }
        return parameters.digestsPages() ? PAGE_DIGESTS : TLS;
    }
}
