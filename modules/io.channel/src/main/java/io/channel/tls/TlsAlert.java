package io.channel.tls;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * A fatal TLS alert the peer sent, in words: the alert's name is all a peer says when it refuses a handshake
 * (RFC 8446 section 6.2), and the JDK reports it only as text.
 *
 * <p>JSSE has no API for a received alert: it throws an {@link SSLException} whose message ends with
 * {@code "Received fatal alert: <description>"} ({@code sun.security.ssl.Alert}, JDK 11 to 25). This class
 * reads that name and nothing else from the message; an exception without it is no received alert.
 *
 * @param name    the alert's description as RFC 8446 names it, such as {@code certificate_unknown}
 * @param meaning what it says about this side, for people
 */
record TlsAlert(String name, String meaning) {

    // IMPORTANT: the JDK's wording in sun.security.ssl.Alert.AlertConsumer ("Received fatal alert: " + name).
    private static final Pattern RECEIVED = Pattern.compile("Received fatal alert: ([a-z_]+)");

    /**
     * What each alert a peer sends on refusing a certificate or a handshake means for this side. A JSSE client
     * sends {@code certificate_expired} for an expired server certificate, {@code bad_certificate} for one not
     * valid yet, and {@code certificate_unknown} for the rest (an unknown CA, a wrong name); a JSSE server sends
     * {@code certificate_unknown} for every client certificate it refuses.
     */
    private static final Map<String, String> MEANINGS = Map.ofEntries(
            Map.entry("certificate_unknown", "it does not accept this side's certificate: not signed by a CA it"
                    + " trusts, expired or not valid yet, or (a server's certificate) not made out to the name the"
                    + " client expected; the peer's log says which"),
            Map.entry("unknown_ca", "this side's certificate is not signed by a CA it trusts"),
            Map.entry("certificate_expired", "this side's certificate (or a CA certificate in its chain) has"
                    + " expired by the peer's clock"),
            Map.entry("bad_certificate", "this side's certificate is not valid yet by the peer's clock (are both"
                    + " clocks right?) or its signature does not verify"),
            Map.entry("unsupported_certificate", "this side's certificate uses a key type, size or algorithm the"
                    + " peer does not accept"),
            Map.entry("certificate_revoked", "this side's certificate was revoked by its CA"),
            Map.entry("certificate_required", "it requires a certificate from this side, which sent none"),
            Map.entry("access_denied", "it does not allow this side's identity"),
            Map.entry("decrypt_error", "a handshake signature did not verify: does the private key belong to this"
                    + " side's certificate?"),
            Map.entry("handshake_failure", "no cipher suite or signature algorithm in common (this side offers"
                    + " only TLS 1.3 with AES-GCM or ChaCha20-Poly1305)"),
            Map.entry("insufficient_security", "no cipher suite in common that it finds strong enough"),
            Map.entry("protocol_version", "it does not speak TLS 1.3, the only protocol this side offers"),
            Map.entry("unrecognized_name", "it does not serve the name this side asked for"));

    /**
     * {@return the fatal alert a peer sent, if this exception (or one of its causes) reports one, else
     * {@code null}}
     * @param failure what a handshake or a read threw
     */
    static TlsAlert received(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SSLException && cause.getMessage() != null) {
                Matcher matcher = RECEIVED.matcher(cause.getMessage());
                if (matcher.find()) {
                    String name = matcher.group(1);
                    return new TlsAlert(name, MEANINGS.getOrDefault(name, "it refused the handshake"));
                }
            }
        }
        return null;
    }

    /** {@return for example {@code alert certificate_expired: this side's certificate ... has expired ...}} */
    @Override
    public String toString() {
        return "alert " + name + ": " + meaning;
    }
}
