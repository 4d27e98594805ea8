package io.channel.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import javax.security.auth.x500.X500Principal;

/**
 * What one side of a TLS connection proves and trusts: its own certificate chain and private key, and the
 * CA certificates it accepts a peer's certificate from. Immutable.
 *
 * <p>Loaded the way operators keep them:
 * <ul>
 * <li>{@link #fromPem(List, Path, Path)}: PEM files, as QEMU's {@code tls-creds-x509} and OpenSSL use them:
 *     CA certificates, the certificate chain (own certificate first), and the private key as PKCS#8
 *     ({@code BEGIN PRIVATE KEY}) or in OpenSSL's traditional RSA or EC form;</li>
 * <li>{@link #fromPkcs12(Path, char[], List)}: a PKCS#12 keystore with one private key entry, and CA
 *     certificates from PEM files or from the keystore's own trusted certificate entries.</li>
 * </ul>
 * Loading checks everything it can before a connection is made: each file is readable and holds what it
 * should, each certificate is within its validity period, and the private key belongs to the certificate.
 * Any failure is an {@link IOException} whose message names the file and what is wrong with it.
 */
public final class TlsCredentials {

    private static final String RSA_ENCRYPTION = "1.2.840.113549.1.1.1";
    private static final String EC_PUBLIC_KEY = "1.2.840.10045.2.1";
    /** KeyFactory algorithms tried on a PKCS#8 key, whose algorithm the file does not name. */
    private static final List<String> KEY_ALGORITHMS = List.of("EC", "RSA", "EdDSA", "RSASSA-PSS");

    private final List<X509Certificate> trusted;
    private final List<X509Certificate> chain;
    private final PrivateKey privateKey;
    private final String origin;

    private TlsCredentials(List<X509Certificate> trusted, List<X509Certificate> chain, PrivateKey privateKey,
                           String origin) {
        this.trusted = List.copyOf(trusted);
        this.chain = List.copyOf(chain);
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        this.origin = origin;
        if (this.trusted.isEmpty()) {
            throw new IllegalArgumentException("at least one trusted CA certificate is needed");
        }
        if (this.chain.isEmpty()) {
            throw new IllegalArgumentException("the certificate chain is empty");
        }
    }

    /**
     * Credentials from objects already in memory (certificates a test or a demo made, say). Validity dates are
     * not checked here, so that tests can make a side with an expired certificate; the peer checks them.
     *
     * @param trusted    the CA certificates whose signature a peer's certificate must carry
     * @param chain      this side's certificate first, then any intermediate CA certificates
     * @param privateKey the private key of {@code chain.get(0)}
     * @return the credentials
     * @throws IllegalArgumentException if a list is empty or the key does not belong to the certificate
     */
    public static TlsCredentials of(List<X509Certificate> trusted, List<X509Certificate> chain,
                                    PrivateKey privateKey) {
        TlsCredentials credentials = new TlsCredentials(trusted, chain, privateKey, "memory");
        if (!keyMatches(privateKey, credentials.chain.getFirst())) {
            throw new IllegalArgumentException("the private key does not belong to the certificate "
                    + credentials.subject().getName());
        }
        return credentials;
    }

    /**
     * Loads PEM files.
     *
     * @param caFiles          one or more files of {@code CERTIFICATE} blocks: the CAs a peer's certificate
     *                         must be signed by
     * @param certificateChain this side's certificate, optionally followed by intermediate CA certificates
     * @param privateKey       the private key of that certificate: {@code PRIVATE KEY} (PKCS#8),
     *                         {@code RSA PRIVATE KEY} (PKCS#1) or {@code EC PRIVATE KEY} (SEC 1), unencrypted
     * @return the credentials
     * @throws IOException naming the file and the problem when a file is unreadable, holds something else,
     *                     a certificate is expired or not yet valid, or the key does not match the certificate
     */
    public static TlsCredentials fromPem(List<Path> caFiles, Path certificateChain, Path privateKey)
            throws IOException {
        List<X509Certificate> trusted = readCaFiles(caFiles);
        List<X509Certificate> chain = readCertificates(certificateChain, "certificate file");
        checkValidity(chain.getFirst(), "certificate file '" + certificateChain + "'");
        PrivateKey key = readPrivateKey(privateKey);
        if (!keyMatches(key, chain.getFirst())) {
            throw new IOException("the private key in '" + privateKey + "' does not belong to the certificate '"
                    + chain.getFirst().getSubjectX500Principal().getName() + "' in '" + certificateChain + "'");
        }
        return new TlsCredentials(trusted, chain, key, "certificate " + certificateChain + ", key " + privateKey
                + ", CA " + caFiles.stream().map(Path::toString).collect(Collectors.joining(", ")));
    }

    /**
     * Loads a PKCS#12 keystore ({@code .p12}/{@code .pfx}), as {@code keytool} and {@code openssl pkcs12}
     * write them. The keystore holds exactly one private key entry; its password also unlocks the key.
     *
     * @param keystore the keystore file
     * @param password its password
     * @param caFiles  PEM files of CA certificates; when empty, the keystore's trusted certificate entries are
     *                 the CAs
     * @return the credentials
     * @throws IOException naming the file and the problem: unreadable, not PKCS#12, wrong password, no or
     *                     several private keys, no CA, or a certificate out of its validity period
     */
    public static TlsCredentials fromPkcs12(Path keystore, char[] password, List<Path> caFiles)
            throws IOException {
        Objects.requireNonNull(password, "password");
        KeyStore store;
        try {
            store = KeyStore.getInstance(keystore.toFile(), password);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new IOException("cannot open keystore '" + keystore + "': wrong password", e);
            }
            throw new IOException("cannot read keystore '" + keystore + "': " + Pem.describe(e), e);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IOException("keystore '" + keystore + "' is not a PKCS#12 keystore: " + e.getMessage(), e);
        }
        try {
            List<String> keyAliases = new ArrayList<>();
            List<X509Certificate> storeCas = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                if (store.isKeyEntry(alias)) {
                    keyAliases.add(alias);
                } else if (store.getCertificate(alias) instanceof X509Certificate ca) {
                    storeCas.add(ca);
                }
            }
            if (keyAliases.size() != 1) {
                throw new IOException("keystore '" + keystore + "' must hold exactly one private key, but holds "
                        + keyAliases.size() + (keyAliases.isEmpty() ? "" : " (aliases " + keyAliases + ")"));
            }
            String alias = keyAliases.getFirst();
            PrivateKey key = (PrivateKey) store.getKey(alias, password);
            Certificate[] certificates = store.getCertificateChain(alias);
            if (certificates == null || certificates.length == 0) {
                throw new IOException("keystore '" + keystore + "': private key '" + alias + "' has no certificate");
            }
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate certificate : certificates) {
                chain.add((X509Certificate) certificate);
            }
            checkValidity(chain.getFirst(), "keystore '" + keystore + "'");
            List<X509Certificate> trusted;
            if (caFiles.isEmpty()) {
                if (storeCas.isEmpty()) {
                    throw new IOException("keystore '" + keystore + "' has no trusted certificate entry and no CA"
                            + " file was given: name the CA certificate(s) a peer must be signed by");
                }
                for (X509Certificate ca : storeCas) {
                    checkValidity(ca, "keystore '" + keystore + "'");
                }
                trusted = storeCas;
            } else {
                trusted = readCaFiles(caFiles);
            }
            return new TlsCredentials(trusted, chain, key, "keystore " + keystore + (caFiles.isEmpty() ? ""
                    : ", CA " + caFiles.stream().map(Path::toString).collect(Collectors.joining(", "))));
        } catch (GeneralSecurityException e) {
            throw new IOException("keystore '" + keystore + "': cannot read its private key: " + e.getMessage(), e);
        }
    }

    /** {@return the CA certificates a peer's certificate must be signed by} */
    public List<X509Certificate> trustedCertificates() {
        return trusted;
    }

    /** {@return this side's certificate first, then any intermediate CA certificates} */
    public List<X509Certificate> certificateChain() {
        return chain;
    }

    /** {@return the private key of this side's certificate} */
    public PrivateKey privateKey() {
        return privateKey;
    }

    /** {@return the subject of this side's certificate: the identity a peer sees} */
    public X500Principal subject() {
        return chain.getFirst().getSubjectX500Principal();
    }

    /**
     * {@return one line for people: this side's identity, its expiry, the CAs trusted and where it all came
     * from}
     */
    public String describe() {
        X509Certificate own = chain.getFirst();
        return "identity '" + subject().getName() + "' (issued by '" + own.getIssuerX500Principal().getName()
                + "', valid until " + own.getNotAfter().toInstant() + "), trusting "
                + trusted.stream().map(c -> "'" + c.getSubjectX500Principal().getName() + "'")
                        .collect(Collectors.joining(", "))
                + "; from " + origin;
    }

    @Override
    public String toString() {
        return "TlsCredentials[" + describe() + "]";
    }

    private static List<X509Certificate> readCaFiles(List<Path> caFiles) throws IOException {
        if (caFiles.isEmpty()) {
            throw new IOException("no CA certificate file given: name the CA certificate(s) a peer must be"
                    + " signed by");
        }
        List<X509Certificate> trusted = new ArrayList<>();
        for (Path file : caFiles) {
            for (X509Certificate ca : readCertificates(file, "CA certificate file")) {
                checkValidity(ca, "CA certificate file '" + file + "'");
                trusted.add(ca);
            }
        }
        return trusted;
    }

    private static List<X509Certificate> readCertificates(Path file, String what) throws IOException {
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new AssertionError("every JDK has X.509", e);
        }
        List<X509Certificate> certificates = new ArrayList<>();
        for (Pem.Block block : Pem.read(file, what)) {
            if (!block.label().equals("CERTIFICATE")) {
                throw new IOException(what + " '" + file + "' line " + block.line() + ": expected CERTIFICATE"
                        + " blocks only, found " + block.label());
            }
            try {
                certificates.add((X509Certificate) factory.generateCertificate(
                        new java.io.ByteArrayInputStream(block.der())));
            } catch (CertificateException e) {
                throw new IOException(what + " '" + file + "' line " + block.line()
                        + ": not a valid X.509 certificate: " + e.getMessage(), e);
            }
        }
        return certificates;
    }

    private static void checkValidity(X509Certificate certificate, String where) throws IOException {
        try {
            certificate.checkValidity(new Date());
        } catch (CertificateExpiredException e) {
            throw new IOException("certificate '" + certificate.getSubjectX500Principal().getName() + "' in "
                    + where + " expired on " + certificate.getNotAfter().toInstant() + "; renew it", e);
        } catch (CertificateNotYetValidException e) {
            throw new IOException("certificate '" + certificate.getSubjectX500Principal().getName() + "' in "
                    + where + " is not valid before " + certificate.getNotBefore().toInstant()
                    + " (is this machine's clock right?)", e);
        }
    }

    private static PrivateKey readPrivateKey(Path file) throws IOException {
        List<Pem.Block> keys = Pem.read(file, "private key file").stream()
                .filter(block -> !block.label().equals("EC PARAMETERS")).toList();
        if (keys.size() != 1) {
            throw new IOException("private key file '" + file + "' must hold one key, but holds " + keys.size()
                    + " PEM blocks");
        }
        Pem.Block block = keys.getFirst();
        String where = "private key file '" + file + "' line " + block.line();
        byte[] pkcs8 = switch (block.label()) {
            case "PRIVATE KEY" -> block.der();
            case "RSA PRIVATE KEY" -> pkcs8(Der.sequence(Der.oid(RSA_ENCRYPTION), Der.nullValue()), block.der());
            case "EC PRIVATE KEY" -> pkcs8(Der.sequence(Der.oid(EC_PUBLIC_KEY), curveOf(block.der(), where)),
                    block.der());
            case "ENCRYPTED PRIVATE KEY" -> throw new IOException(where + ": the key is encrypted; decrypt it"
                    + " (openssl pkey -in KEY -out PLAIN) or use a PKCS#12 keystore with a password");
            default -> throw new IOException(where + ": expected a PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY"
                    + " block, found " + block.label());
        };
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(pkcs8);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                // Not this algorithm: try the next.
            }
        }
        throw new IOException(where + ": not a private key of a supported algorithm (" + KEY_ALGORITHMS + ")");
    }

    /** {@return a PKCS#8 {@code PrivateKeyInfo} (RFC 5208) around a traditional key} */
    private static byte[] pkcs8(byte[] algorithmIdentifier, byte[] key) {
        return Der.sequence(Der.integer(BigInteger.ZERO), algorithmIdentifier, Der.octetString(key));
    }

    /** {@return the curve OID TLV of a SEC 1 {@code ECPrivateKey}, its {@code [0] parameters} (RFC 5915)} */
    private static byte[] curveOf(byte[] sec1, String where) throws IOException {
        try {
            for (Der.Value child : Der.readOne(sec1).children()) {
                if (child.tag() == Der.EXPLICIT_0) {
                    return child.contents();
                }
            }
        } catch (IllegalArgumentException e) {
            throw new IOException(where + ": damaged EC PRIVATE KEY: " + e.getMessage(), e);
        }
        throw new IOException(where + ": the EC PRIVATE KEY does not name its curve; convert it to PKCS#8"
                + " (openssl pkcs8 -topk8 -nocrypt)");
    }

    /** {@return whether a signature made with {@code key} verifies with the certificate's public key} */
    private static boolean keyMatches(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            default -> null;
        };
        if (algorithm == null) {
            // RSASSA-PSS needs parameters to sign with; the handshake will tell.
            return true;
        }
        try {
            byte[] probe = "multifd key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** For {@link TlsParameters}: a store of the trusted certificates. */
    KeyStore trustStore() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < trusted.size(); i++) {
                store.setCertificateEntry("ca" + i, trusted.get(i));
            }
            return store;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build an in-memory trust store: " + e.getMessage(), e);
        }
    }
}
