package io.channel.tls;

import io.channel.tls.TlsHandshakeException.Reason;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;

/**
 * Checks a peer's certificate chain in the order that gives the most precise reason, then hands it to the
 * JDK's own PKIX trust manager, which stays the authority (it also checks key usage and algorithm
 * constraints, and the host name through the engine's endpoint identification).
 *
 * <p>The checks, each failing with a {@link Refusal} that carries a {@link Reason}: the chain against the
 * trusted CAs ({@link CertPathValidator}, whose {@link CertPathValidatorException#getReason()} tells an
 * unknown CA from an expired certificate); on a client, the server's name against the expected host (RFC 6125
 * rules as the JDK's {@code HTTPS} endpoint identification applies them: DNS or IP subject alternative names,
 * the common name only when there is no DNS name, a wildcard only as the whole left-most label); and, on a
 * client, the server's subject against the allowed identities (QEMU's {@code tls-authz}). JSSE turns the
 * exception into a fatal alert to the peer and an {@link javax.net.ssl.SSLHandshakeException} whose cause is
 * the {@link Refusal}. A server's application checks a client's subject against the allowed identities after
 * the handshake instead ({@link #notAllowed}, through {@link TlsParameters#refusal}), so that it can tell the
 * client why.
 */
final class PeerVerifier extends X509ExtendedTrustManager {

    /** A refused certificate, with the reason; JSSE keeps it as the cause of the handshake exception. */
    static final class Refusal extends CertificateException {
        private static final long serialVersionUID = 1L;

        private final Reason reason;

        Refusal(Reason reason, String message, Throwable cause) {
            super(message, cause);
            this.reason = reason;
        }

        Reason reason() {
            return reason;
        }
    }

    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    private final X509ExtendedTrustManager jdk;
    private final Set<TrustAnchor> anchors;
    private final Set<X500Principal> allowedPeers;

    /**
     * @param allowedPeers the identities accepted, in the order messages list them; empty accepts any
     */
    PeerVerifier(X509ExtendedTrustManager jdk, List<X509Certificate> trusted, Set<X500Principal> allowedPeers) {
        this.jdk = jdk;
        this.anchors = trusted.stream().map(ca -> new TrustAnchor(ca, null)).collect(Collectors.toUnmodifiableSet());
        this.allowedPeers = allowedPeers;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        verifyCertificate(chain, null);
        jdk.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        verify(chain, engine.getPeerHost());
        jdk.checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        verifyCertificate(chain, null);
        jdk.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        verify(chain, null);
        jdk.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verifyCertificate(chain, null);
        jdk.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        verify(chain, null);
        jdk.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return jdk.getAcceptedIssuers();
    }

    /**
     * Runs the classifying checks.
     *
     * @param chain    the peer's chain, its own certificate first
     * @param hostname the name the server must carry, or {@code null} on a server (or without endpoint check)
     * @throws Refusal with the reason of the first failed check
     */
    void verify(X509Certificate[] chain, String hostname) throws Refusal {
        verifyCertificate(chain, hostname);
        Refusal refusal = notAllowed(chain[0].getSubjectX500Principal(), allowedPeers);
        if (refusal != null) {
            throw refusal;
        }
    }

    /**
     * Runs the checks of the certificate itself: path to a trusted CA, validity, and the name if asked. A
     * server's application checks a client's identity only after the handshake ({@link TlsParameters#refusal}),
     * so that it can tell the client why it is refused: a TLS alert carries no reason.
     *
     * @param chain    the peer's chain, its own certificate first
     * @param hostname the name the server must carry, or {@code null}
     * @throws Refusal with the reason of the first failed check
     */
    void verifyCertificate(X509Certificate[] chain, String hostname) throws Refusal {
        if (chain == null || chain.length == 0) {
            throw new Refusal(Reason.CERTIFICATE_REJECTED, "the peer sent no certificate", null);
        }
        X509Certificate peer = chain[0];
        String subject = "'" + peer.getSubjectX500Principal().getName() + "'";
        validatePath(chain, subject);
        if (hostname != null && !matchesHost(peer, hostname)) {
            throw new Refusal(Reason.WRONG_NAME, "the peer's certificate " + subject + " is made out to "
                    + names(peer) + ", not to '" + hostname + "' (set the expected name with the TLS hostname"
                    + " option if the peer is reached under another name)", null);
        }
    }

    /**
     * {@return why a peer with this subject is refused, or {@code null} if it is allowed}
     * @param subject      the subject of the peer's certificate, or {@code null} when it sent none (a server
     *                     that does not require client certificates)
     * @param allowedPeers the identities accepted; empty accepts any
     */
    static Refusal notAllowed(X500Principal subject, Set<X500Principal> allowedPeers) {
        if (allowedPeers.isEmpty() || subject != null && allowedPeers.contains(subject)) {
            return null;
        }
        if (subject == null) {
            return new Refusal(Reason.IDENTITY_NOT_ALLOWED, "the peer sent no certificate, so its identity cannot"
                    + " be among the allowed identities", null);
        }
        return new Refusal(Reason.IDENTITY_NOT_ALLOWED, "the peer's identity '" + subject.getName()
                + "' is not among the allowed identities " + allowedPeers.stream()
                .map(p -> "'" + p.getName() + "'").collect(Collectors.joining(", ", "[", "]")), null);
    }

    private void validatePath(X509Certificate[] chain, String subject) throws Refusal {
        CertPath path;
        PKIXParameters parameters;
        try {
            // The path excludes a trust anchor the peer sent along: PKIX validates up to, not including, it.
            List<X509Certificate> certificates = new ArrayList<>(Arrays.asList(chain));
            while (certificates.size() > 1 && isAnchor(certificates.getLast())) {
                certificates.removeLast();
            }
            path = CertificateFactory.getInstance("X.509").generateCertPath(certificates);
            parameters = new PKIXParameters(anchors);
            // Revocation needs CRLs or OCSP responders that a throwaway or private CA does not run.
            parameters.setRevocationEnabled(false);
        } catch (GeneralSecurityException e) {
            throw new Refusal(Reason.CERTIFICATE_REJECTED, "cannot check the peer's certificate " + subject + ": "
                    + e.getMessage(), e);
        }
        try {
            CertPathValidator.getInstance("PKIX").validate(path, parameters);
        } catch (CertPathValidatorException e) {
            X509Certificate failed = e.getIndex() >= 0 && e.getIndex() < chain.length ? chain[e.getIndex()] : chain[0];
            String which = failed == chain[0] ? "the peer's certificate " + subject
                    : "CA certificate '" + failed.getSubjectX500Principal().getName() + "' in the peer's chain";
            if (e.getReason() == BasicReason.EXPIRED) {
                throw new Refusal(Reason.EXPIRED, which + " expired on " + failed.getNotAfter().toInstant(), e);
            }
            if (e.getReason() == BasicReason.NOT_YET_VALID) {
                throw new Refusal(Reason.NOT_YET_VALID, which + " is not valid before "
                        + failed.getNotBefore().toInstant() + " (are both clocks right?)", e);
            }
            if (e.getReason() == PKIXReason.NO_TRUST_ANCHOR) {
                throw new Refusal(Reason.UNKNOWN_CA, "the peer's certificate " + subject + " is issued by '"
                        + chain[chain.length - 1].getIssuerX500Principal().getName()
                        + "', which is not a trusted CA (trusted: " + anchors.stream()
                        .map(a -> "'" + a.getTrustedCert().getSubjectX500Principal().getName() + "'")
                        .collect(Collectors.joining(", ")) + ")", e);
            }
            throw new Refusal(Reason.CERTIFICATE_REJECTED, which + " is not acceptable: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new Refusal(Reason.CERTIFICATE_REJECTED, "cannot check the peer's certificate " + subject + ": "
                    + e.getMessage(), e);
        }
    }

    private boolean isAnchor(X509Certificate certificate) {
        return anchors.stream().anyMatch(anchor -> anchor.getTrustedCert().equals(certificate));
    }

    /** {@return whether the certificate is made out to {@code host}} */
    static boolean matchesHost(X509Certificate certificate, String host) {
        String wanted = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress address = ipLiteral(wanted);
        Collection<List<?>> alternatives = alternativeNames(certificate);
        if (address != null) {
            return alternatives.stream().filter(name -> (Integer) name.get(0) == SAN_IP)
                    .map(name -> ipLiteral((String) name.get(1))).anyMatch(address::equals);
        }
        String name = normalize(wanted);
        List<String> dnsNames = alternatives.stream().filter(entry -> (Integer) entry.get(0) == SAN_DNS)
                .map(entry -> (String) entry.get(1)).toList();
        if (!dnsNames.isEmpty()) {
            return dnsNames.stream().anyMatch(pattern -> matchesPattern(normalize(pattern), name));
        }
        String commonName = commonName(certificate.getSubjectX500Principal());
        return commonName != null && matchesPattern(normalize(commonName), name);
    }

    private static boolean matchesPattern(String pattern, String name) {
        if (pattern.startsWith("*.")) {
            int dot = name.indexOf('.');
            return dot > 0 && name.substring(dot).equals(pattern.substring(1));
        }
        return pattern.equals(name);
    }

    private static String normalize(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    private static InetAddress ipLiteral(String text) {
        try {
            return InetAddress.ofLiteral(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Collection<List<?>> alternativeNames(X509Certificate certificate) {
        try {
            Collection<List<?>> names = certificate.getSubjectAlternativeNames();
            return names == null ? List.of() : names;
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }

    /**
     * {@return the most specific common name of a principal, or {@code null}} RFC 2253 writes the most
     * specific RDN first; a value may escape {@code ,} {@code +} {@code "} with a backslash (section 2.4).
     */
    static String commonName(X500Principal principal) {
        String text = principal.getName(X500Principal.RFC2253);
        int at = 0;
        while (at < text.length()) {
            int equals = text.indexOf('=', at);
            if (equals < 0) {
                return null;
            }
            String type = text.substring(at, equals).strip();
            StringBuilder value = new StringBuilder();
            int i = equals + 1;
            for (; i < text.length() && text.charAt(i) != ',' && text.charAt(i) != '+'; i++) {
                char c = text.charAt(i);
                if (c == '\\' && i + 1 < text.length()) {
                    c = text.charAt(++i);
                }
                value.append(c);
            }
            if (type.equalsIgnoreCase("CN")) {
                return value.toString();
            }
            at = i + 1;
        }
        return null;
    }

    /** {@return the names a certificate is made out to, such as {@code [DNS:localhost, IP:127.0.0.1]}} */
    static String names(X509Certificate certificate) {
        List<String> names = new ArrayList<>();
        for (List<?> entry : alternativeNames(certificate)) {
            int type = (Integer) entry.get(0);
            if (type == SAN_DNS) {
                names.add("DNS:" + entry.get(1));
            } else if (type == SAN_IP) {
                names.add("IP:" + entry.get(1));
            }
        }
        if (names.isEmpty()) {
            names.add("CN:" + commonName(certificate.getSubjectX500Principal()));
        }
        return names.toString();
    }
}
