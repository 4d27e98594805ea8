package migration.authority;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;

/**
 * A certificate authority that lives in memory for one demo, benchmark or test run ({@code demo --tls}): it makes
 * its own key and self-signed CA certificate, and issues certificates for named hosts, valid now or over any period
 * (to test expiry). <strong>Not for production:</strong> its
 * key is never stored, so nothing it signed can be revoked or renewed; real deployments use the operators' CA
 * ({@code --tls-ca}, {@code --tls-cert}, {@code --tls-key}).
 *
 * <pre>{@code
 * ThrowawayAuthority ca = ThrowawayAuthority.create("multifd demo CA");
 * ThrowawayAuthority.Issued source = ca.issue("source", List.of("localhost", "127.0.0.1"));
 * TlsCredentials credentials = TlsCredentials.of(List.of(source.issuer()), List.of(source.certificate()),
 *         source.privateKey());
 * }</pre>
 *
 * <p>Keys are ECDSA P-256; certificates are X.509 v3 signed with SHA-256 (RFC 5280). The CA certificate has
 * {@code basicConstraints CA:true} and {@code keyCertSign}; an issued one has {@code digitalSignature}, both
 * {@code serverAuth} and {@code clientAuth} (a migration peer is a client on one run and a server on the
 * next), and its names as DNS or IP subject alternative names. The JDK can parse but not build certificates,
 * so a minimal DER encoder inside this package writes them; {@link CertificateFactory} parses every result
 * back, so a malformed one fails here and not in a handshake.
 *
 * <p>A module of its own that needs nothing but the JDK, required by the tool, the benchmark and the test kit: no
 * library module offers a certificate authority.
 */
public final class ThrowawayAuthority {

    /** How long an issued certificate is valid unless told otherwise: long enough for any demo run. */
    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(1);
    /** Validity starts this much in the past, for peers whose clocks are slightly behind. */
    private static final Duration CLOCK_SKEW = Duration.ofHours(1);

    private static final String ECDSA_WITH_SHA256 = "1.2.840.10045.4.3.2";
    private static final String BASIC_CONSTRAINTS = "2.5.29.19";
    private static final String KEY_USAGE = "2.5.29.15";
    private static final String EXTENDED_KEY_USAGE = "2.5.29.37";
    private static final String SUBJECT_ALTERNATIVE_NAME = "2.5.29.17";
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    /** keyUsage bits 5 and 6, keyCertSign and cRLSign, in one byte whose lowest bit is unused (RFC 5280 4.2.1.3). */
    private static final byte[] CA_KEY_USAGE = {0x06};
    /** keyUsage bit 0, digitalSignature; seven unused bits. */
    private static final byte[] LEAF_KEY_USAGE = {(byte) 0x80};

    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey key;

    private ThrowawayAuthority(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    /**
     * A certificate issued by a {@link ThrowawayAuthority}, with its private key.
     *
     * @param certificate the certificate
     * @param privateKey  its private key
     * @param issuer      the CA certificate that signed it
     */
    public record Issued(X509Certificate certificate, PrivateKey privateKey, X509Certificate issuer) {

        /** Checks that no component is null. */
        public Issued {
            Objects.requireNonNull(certificate, "certificate");
            Objects.requireNonNull(privateKey, "privateKey");
            Objects.requireNonNull(issuer, "issuer");
        }


        /**
         * Writes the certificate and the key as PEM files (RFC 7468; the key as PKCS#8), as operators keep them.
         * The key file is readable by its owner only where the file system has POSIX permissions.
         *
         * @param certificateFile where the certificate goes
         * @param keyFile         where the PKCS#8 private key goes
         * @throws IOException if a file cannot be written
         */
        public void writePem(Path certificateFile, Path keyFile) throws IOException {
            writeCertificate(certificate, certificateFile);
            writeKey(privateKey, keyFile);
        }
    }

    /**
     * Makes a new CA: a fresh P-256 key and a self-signed certificate valid from an hour ago for a week.
     *
     * @param name the CA's common name, such as {@code "multifd demo CA"}
     * @return the authority
     */
    public static ThrowawayAuthority create(String name) {
        KeyPair pair = newKeyPair();
        X500Principal subject = principal(name);
        Instant now = Instant.now();
        byte[] extensions = Der.sequence(
                extension(BASIC_CONSTRAINTS, true, Der.sequence(Der.bool(true))),
                extension(KEY_USAGE, true, Der.bitString(CA_KEY_USAGE, 1)));
        X509Certificate certificate = sign(subject, pair.getPublic(), subject, pair.getPrivate(),
                now.minus(CLOCK_SKEW), now.plus(Duration.ofDays(7)), extensions);
        return new ThrowawayAuthority(certificate, pair.getPrivate());
    }

    /** {@return the CA's self-signed certificate: what peers must trust} */
    public X509Certificate certificate() {
        return certificate;
    }

    /**
     * Issues a certificate valid from an hour ago for {@link #DEFAULT_VALIDITY}.
     *
     * @param commonName the subject's common name ({@code CN=})
     * @param names      DNS names and IP addresses the certificate is made out to, such as {@code localhost},
     *                   {@code 127.0.0.1}, {@code ::1}
     * @return the certificate and its new private key
     */
    public Issued issue(String commonName, List<String> names) {
        Instant now = Instant.now();
        return issue(commonName, names, now.minus(CLOCK_SKEW), now.plus(DEFAULT_VALIDITY));
    }

    /**
     * Issues a certificate valid over the given period, which may lie in the past (to test expiry).
     *
     * @param commonName the subject's common name
     * @param names      DNS names and IP addresses the certificate is made out to
     * @param notBefore  start of validity
     * @param notAfter   end of validity
     * @return the certificate and its new private key
     * @throws IllegalArgumentException if {@code notAfter} is before {@code notBefore}
     */
    public Issued issue(String commonName, List<String> names, Instant notBefore, Instant notAfter) {
        if (notAfter.isBefore(notBefore)) {
            throw new IllegalArgumentException("validity ends (" + notAfter + ") before it starts (" + notBefore + ")");
        }
        KeyPair pair = newKeyPair();
        List<byte[]> extensions = new ArrayList<>();
        extensions.add(extension(BASIC_CONSTRAINTS, true, Der.sequence()));
        extensions.add(extension(KEY_USAGE, true, Der.bitString(LEAF_KEY_USAGE, 7)));
        extensions.add(extension(EXTENDED_KEY_USAGE, false, Der.sequence(Der.oid(SERVER_AUTH), Der.oid(CLIENT_AUTH))));
        if (!names.isEmpty()) {
            extensions.add(extension(SUBJECT_ALTERNATIVE_NAME, false, alternativeNames(names)));
        }
        X509Certificate issued = sign(principal(commonName), pair.getPublic(), certificate.getSubjectX500Principal(),
                key, notBefore, notAfter, Der.sequence(extensions.toArray(byte[][]::new)));
        return new Issued(issued, pair.getPrivate(), certificate);
    }

    /**
     * Writes the CA certificate as a PEM file, the {@code --tls-ca} a peer would be given.
     *
     * @param file where it goes
     * @throws IOException if it cannot be written
     */
    public void writeCertificate(Path file) throws IOException {
        writeCertificate(certificate, file);
    }

    private static void writeCertificate(X509Certificate certificate, Path file) throws IOException {
        try {
            Files.writeString(file, pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII);
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IOException("cannot encode certificate " + certificate.getSubjectX500Principal(), e);
        }
    }

    private static void writeKey(PrivateKey key, Path file) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        Files.writeString(file, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
    }

    /** {@return one PEM block (RFC 7468): the label lines around base64 of {@code der} in lines of 64 characters} */
    private static String pem(String label, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
    }

    private static X500Principal principal(String commonName) {
        // X500Principal parses RFC 2253; quoting keeps commas and the like in a name literal.
        return new X500Principal("CN=\"" + commonName.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
    }

    private static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make P-256 keys: " + e.getMessage(), e);
        }
    }

    private static byte[] extension(String oid, boolean critical, byte[] value) {
        return critical ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octetString(value))
                : Der.sequence(Der.oid(oid), Der.octetString(value));
    }

    private static byte[] alternativeNames(List<String> names) {
        byte[][] encoded = new byte[names.size()][];
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            InetAddress address = ipLiteral(name);
            encoded[i] = address != null ? Der.tlv(Der.IP_ADDRESS, address.getAddress())
                    : Der.tlv(Der.DNS_NAME, name.getBytes(StandardCharsets.US_ASCII));
        }
        return Der.sequence(encoded);
    }

    private static InetAddress ipLiteral(String name) {
        try {
            return InetAddress.ofLiteral(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Encodes a TBSCertificate (RFC 5280 section 4.1), signs it and parses the result back. */
    private static X509Certificate sign(X500Principal subject, PublicKey publicKey, X500Principal issuer,
                                        PrivateKey issuerKey, Instant notBefore, Instant notAfter,
                                        byte[] extensions) {
        byte[] algorithm = Der.sequence(Der.oid(ECDSA_WITH_SHA256));
        byte[] serial = new byte[16];
        RANDOM.nextBytes(serial);
        serial[0] = (byte) ((serial[0] & 0x7f) | 0x40);
        byte[] tbs = Der.sequence(
                Der.constructed(Der.EXPLICIT_0, Der.integer(BigInteger.TWO)),
                Der.integer(new BigInteger(serial)),
                algorithm,
                issuer.getEncoded(),
                Der.sequence(Der.time(notBefore), Der.time(notAfter)),
                subject.getEncoded(),
                publicKey.getEncoded(),
                Der.constructed(Der.EXPLICIT_3, extensions));
        try {
            Signature signer = Signature.getInstance("SHA256withECDSA");
            signer.initSign(issuerKey, RANDOM);
            signer.update(tbs);
            byte[] certificate = Der.sequence(tbs, algorithm, Der.bitString(signer.sign(), 0));
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certificate));
        } catch (CertificateException e) {
            throw new IllegalStateException("the certificate encoder made a certificate the JDK cannot parse: "
                    + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a certificate: " + e.getMessage(), e);
        }
    }
}
