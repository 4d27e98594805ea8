package migration.cli;

import io.channel.tls.CipherSpeed;
import io.channel.tls.TlsParameters;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * For {@code multifd info}: the TLS setup {@code send} and {@code receive} would run with the same
 * {@code --tls-*} options, as loaded and checked at start-up: where the credentials come from, this side's
 * certificate, the trusted CAs, the peer checks, the protocol and cipher suites, how fast this machine runs the
 * preferred suite's cipher (what bounds TLS here), and what becomes of zero-copy.
 *
 * @param parameters  the TLS parameters, or {@code null} for plain TCP
 * @param sources     where the credentials come from ({@link TlsOptions#sources()}), or {@code null}
 * @param now         the time expiry is counted from
 * @param cipherSpeed the preferred suite's cipher measured in this process (the default preference without TLS
 *                    options)
 */
record TlsReport(TlsParameters parameters, Map<String, Object> sources, Instant now, CipherSpeed cipherSpeed) {

    /**
     * IMPORTANT: what the library says when a TLS source is asked for zero-copy on (QEMU's words,
     * {@code migration/options.c}): the message of the {@code MigrationException} from {@code MigrationSource.start}.
     * TlsReportTest checks it against the library.
     */
    static final String TLS_REFUSES_ZERO_COPY = "Zero copy only available for non-compressed non-TLS multifd migration";
    /**
     * IMPORTANT: the reason a TLS source's statistics give for copying under zero-copy auto
     * ({@code ZeroCopyStats.reason()}). TlsReportTest checks it against the library.
     */
    static final String COPYING_FOR_TLS =
            "TLS encrypts every page into its own buffer before sending, so zero-copy cannot work; copying";

    /** Subject alternative name types (RFC 5280 section 4.2.1.6). */
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    /** {@return the JSON form: {@code {"enabled": false, "cipher-speed": {...}}} without TLS} */
    Map<String, Object> toJson() {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("enabled", parameters != null);
        if (parameters == null) {
            document.put("cipher-speed", cipherSpeed.jsonMembers());
            return document;
        }
        document.put("protocol", TlsParameters.PROTOCOL);
        document.put("cipher-suites", parameters.cipherSuites());
        document.put("cipher-speed", cipherSpeed.jsonMembers());
        document.put("credentials", sources);
        X509Certificate own = parameters.credentials().certificateChain().getFirst();
        Map<String, Object> certificate = certificate(own);
        certificate.put("key-algorithm", parameters.credentials().privateKey().getAlgorithm());
        certificate.put("names", names(own));
        document.put("certificate", certificate);
        document.put("chain-length", parameters.credentials().certificateChain().size());
        List<Object> cas = new ArrayList<>();
        for (X509Certificate ca : parameters.credentials().trustedCertificates()) {
            cas.add(certificate(ca));
        }
        document.put("ca-count", cas.size());
        document.put("trusted-cas", cas);
        document.put("mutual-authentication", parameters.clientCertificateRequired());
        document.put("hostname", parameters.hostname());
        document.put("allowed-identities", parameters.allowedPeers().stream().map(p -> p.getName()).toList());
        document.put("handshake-timeout-ms", parameters.handshakeTimeout().toMillis());
        Map<String, Object> zeroCopy = new LinkedHashMap<>();
        zeroCopy.put("on", "refused: " + TLS_REFUSES_ZERO_COPY);
        zeroCopy.put("auto", COPYING_FOR_TLS);
        document.put("zero-copy", zeroCopy);
        return document;
    }

    /** {@return the text form, lines ending in the platform's line break} */
    String toText() {
        String nl = System.lineSeparator();
        if (parameters == null) {
            return "tls: off (no --tls-* option: send and receive would run plain TCP)" + nl
                    + "  cipher speed  " + cipherSpeed.cipherSuite() + ": " + cipherSpeed.describe() + nl;
        }
        X509Certificate own = parameters.credentials().certificateChain().getFirst();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"protocol", TlsParameters.PROTOCOL});
        rows.add(new String[] {"cipher suites", String.join(", ", parameters.cipherSuites())
                + " (a destination picks the first both sides offer)"});
        rows.add(new String[] {"cipher speed", cipherSpeed.cipherSuite() + ": " + cipherSpeed.describe()});
        rows.add(new String[] {"credentials", sources.entrySet().stream().filter(e -> e.getValue() != null)
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "))});
        rows.add(new String[] {"certificate", "'" + own.getSubjectX500Principal().getName() + "', "
                + validity(own) + ", made out to " + names(own) + ", key "
                + parameters.credentials().privateKey().getAlgorithm() + ", issued by '"
                + own.getIssuerX500Principal().getName() + "'"});
        List<X509Certificate> cas = parameters.credentials().trustedCertificates();
        rows.add(new String[] {"trusted CAs", cas.size() + ": " + cas.stream()
                .map(ca -> "'" + ca.getSubjectX500Principal().getName() + "' (" + validity(ca) + ")")
                .collect(Collectors.joining(", "))});
        rows.add(new String[] {"peer checks", (parameters.clientCertificateRequired() ? "mutual authentication"
                : "a server asks no client certificate") + "; send expects the destination's certificate made out"
                + " to " + (parameters.hostname() == null ? "the host of --to" : "'" + parameters.hostname() + "'")
                + "; accepted identities: " + (parameters.allowedPeers().isEmpty() ? "any a trusted CA signed"
                : parameters.allowedPeers().stream().map(p -> "'" + p.getName() + "'")
                        .collect(Collectors.joining(", ")))});
        rows.add(new String[] {"handshake", "within " + parameters.handshakeTimeout().toMillis()
                + " ms (and within --setup-timeout)"});
        rows.add(new String[] {"zero-copy", "on is refused (\"" + TLS_REFUSES_ZERO_COPY + "\"); auto: "
                + COPYING_FOR_TLS});
        int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
        StringBuilder text = new StringBuilder("tls (what send and receive would run with these options):")
                .append(nl);
        for (String[] row : rows) {
            text.append("  ").append(row[0]).append(" ".repeat(width - row[0].length())).append("  ").append(row[1])
                    .append(nl);
        }
        return text.toString();
    }

    private Map<String, Object> certificate(X509Certificate certificate) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("subject", certificate.getSubjectX500Principal().getName());
        entry.put("issuer", certificate.getIssuerX500Principal().getName());
        entry.put("not-before", certificate.getNotBefore().toInstant().toString());
        entry.put("not-after", certificate.getNotAfter().toInstant().toString());
        entry.put("days-left", Duration.between(now, certificate.getNotAfter().toInstant()).toDays());
        return entry;
    }

    private String validity(X509Certificate certificate) {
        Instant notAfter = certificate.getNotAfter().toInstant();
        long days = Duration.between(now, notAfter).toDays();
        return "valid until " + notAfter + ", " + (notAfter.isBefore(now) ? "EXPIRED"
                : days + (days == 1 ? " day" : " days") + " left");
    }

    /** {@return the DNS names and IP addresses a certificate is made out to, such as {@code DNS:localhost}} */
    static List<String> names(X509Certificate certificate) {
        Collection<List<?>> alternatives;
        try {
            alternatives = certificate.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return List.of("(unreadable: " + e.getMessage() + ")");
        }
        if (alternatives == null) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (List<?> name : alternatives) {
            int type = (Integer) name.get(0);
            if (type == SAN_DNS || type == SAN_IP) {
                names.add((type == SAN_DNS ? "DNS:" : "IP:") + name.get(1));
            }
        }
        return names;
    }
}
