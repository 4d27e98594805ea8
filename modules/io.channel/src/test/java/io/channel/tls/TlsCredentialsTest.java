package io.channel.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import migration.authority.ThrowawayAuthority;

class TlsCredentialsTest {

    private static final ThrowawayAuthority CA = ThrowawayAuthority.create("credentials test CA");
    private static final ThrowawayAuthority.Issued NODE = CA.issue("node1", List.of("localhost"));
    private static final char[] PASSWORD = "s3cret".toCharArray();

    @TempDir
    Path dir;

    @Test
    void pemFilesLoadWithTheirIdentityAndTrustedCa() throws Exception {
        Path ca = dir.resolve("ca.pem");
        CA.writeCertificate(ca);
        NODE.writePem(dir.resolve("node.pem"), dir.resolve("node-key.pem"));

        TlsCredentials credentials = TlsCredentials.fromPem(List.of(ca), dir.resolve("node.pem"),
                dir.resolve("node-key.pem"));

        assertThat(credentials.subject()).isEqualTo(new X500Principal("CN=node1"));
        assertThat(credentials.trustedCertificates()).containsExactly(CA.certificate());
        assertThat(credentials.privateKey().getEncoded()).isEqualTo(NODE.privateKey().getEncoded());
        assertThat(credentials.describe()).contains("identity 'CN=node1'", "trusting 'CN=credentials test CA'",
                "node-key.pem");
    }

    @Test
    void aTraditionalEcKeyLoadsLikeItsPkcs8Form() throws Exception {
        // OpenSSL's "EC PRIVATE KEY" is the SEC 1 structure that PKCS#8 wraps, with the curve inside it.
        List<Der.Value> pkcs8 = Der.readOne(NODE.privateKey().getEncoded()).children();
        byte[] curve = Der.tlv(pkcs8.get(1).children().get(1).tag(), pkcs8.get(1).children().get(1).contents());
        List<Der.Value> sec1 = Der.readOne(pkcs8.get(2).contents()).children();
        byte[] traditional = Der.sequence(Der.tlv(sec1.get(0).tag(), sec1.get(0).contents()),
                Der.tlv(sec1.get(1).tag(), sec1.get(1).contents()), Der.constructed(Der.EXPLICIT_0, curve));
        Files.writeString(dir.resolve("key.pem"), Pem.encode("EC PRIVATE KEY", traditional));

        PrivateKey key = credentialsWithKey(dir.resolve("key.pem")).privateKey();

        assertThat(((ECPrivateKey) key).getS()).isEqualTo(((ECPrivateKey) NODE.privateKey()).getS());
    }

    @Test
    void aTraditionalRsaKeyIsReadAndCheckedAgainstTheCertificate() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        byte[] pkcs8 = generator.generateKeyPair().getPrivate().getEncoded();
        byte[] pkcs1 = Der.readOne(pkcs8).children().get(2).contents();
        Files.writeString(dir.resolve("rsa.pem"), Pem.encode("RSA PRIVATE KEY", pkcs1));

        // Read fine, but it is not the key of the (EC) certificate.
        assertThatThrownBy(() -> credentialsWithKey(dir.resolve("rsa.pem")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("the private key in '" + dir.resolve("rsa.pem") + "' does not belong to the"
                        + " certificate 'CN=node1'");
    }

    @Test
    void anEncryptedKeyIsRefusedWithWhatToDoInstead() throws Exception {
        Files.writeString(dir.resolve("enc.pem"), Pem.encode("ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3}));

        assertThatThrownBy(() -> credentialsWithKey(dir.resolve("enc.pem")))
                .hasMessageContaining("enc.pem' line 1: the key is encrypted; decrypt it");
    }

    @Test
    void aMissingCaFileIsNamed() throws Exception {
        NODE.writePem(dir.resolve("node.pem"), dir.resolve("node-key.pem"));

        assertThatThrownBy(() -> TlsCredentials.fromPem(List.of(dir.resolve("nope.pem")), dir.resolve("node.pem"),
                dir.resolve("node-key.pem")))
                .isInstanceOf(IOException.class)
                .hasMessage("cannot read CA certificate file '" + dir.resolve("nope.pem") + "': no such file");
    }

    @Test
    void aKeyInTheCaFileIsRefused() throws Exception {
        NODE.writePem(dir.resolve("node.pem"), dir.resolve("node-key.pem"));

        assertThatThrownBy(() -> TlsCredentials.fromPem(List.of(dir.resolve("node-key.pem")),
                dir.resolve("node.pem"), dir.resolve("node-key.pem")))
                .hasMessageContaining("CA certificate file '" + dir.resolve("node-key.pem")
                        + "' line 1: expected CERTIFICATE blocks only, found PRIVATE KEY");
    }

    @Test
    void aFileWithoutPemBlocksIsRefused() throws Exception {
        Files.writeString(dir.resolve("ca.pem"), "just some text\n");
        NODE.writePem(dir.resolve("node.pem"), dir.resolve("node-key.pem"));

        assertThatThrownBy(() -> TlsCredentials.fromPem(List.of(dir.resolve("ca.pem")), dir.resolve("node.pem"),
                dir.resolve("node-key.pem")))
                .hasMessageContaining("holds no PEM block");
    }

    @Test
    void aBinaryFileIsRefusedAsNotPem() throws Exception {
        Files.write(dir.resolve("ca.der"), CA.certificate().getEncoded());
        NODE.writePem(dir.resolve("node.pem"), dir.resolve("node-key.pem"));

        assertThatThrownBy(() -> TlsCredentials.fromPem(List.of(dir.resolve("ca.der")), dir.resolve("node.pem"),
                dir.resolve("node-key.pem")))
                .hasMessageContaining("ca.der' is not a PEM text file");
    }

    @Test
    void damagedBase64IsRefusedWithItsLine() throws Exception {
        Files.writeString(dir.resolve("ca.pem"), "\n-----BEGIN CERTIFICATE-----\nnot*base64\n-----END CERTIFICATE-----\n");
        NODE.writePem(dir.resolve("node.pem"), dir.resolve("node-key.pem"));

        assertThatThrownBy(() -> TlsCredentials.fromPem(List.of(dir.resolve("ca.pem")), dir.resolve("node.pem"),
                dir.resolve("node-key.pem")))
                .hasMessageContaining("ca.pem' line 2: the CERTIFICATE block is not valid base64");
    }

    @Test
    void anExpiredOwnCertificateIsRefusedAtLoad() throws Exception {
        Path ca = dir.resolve("ca.pem");
        CA.writeCertificate(ca);
        Instant now = Instant.now();
        CA.issue("old", List.of(), now.minus(Duration.ofDays(10)), now.minus(Duration.ofDays(5)))
                .writePem(dir.resolve("old.pem"), dir.resolve("old-key.pem"));

        assertThatThrownBy(() -> TlsCredentials.fromPem(List.of(ca), dir.resolve("old.pem"), dir.resolve("old-key.pem")))
                .hasMessageContaining("certificate 'CN=old' in certificate file '" + dir.resolve("old.pem")
                        + "' expired on")
                .hasMessageEndingWith("; renew it");
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsRefusedInMemoryToo() {
        assertThatThrownBy(() -> TlsCredentials.of(List.of(CA.certificate()), List.of(NODE.certificate()),
                CA.issue("other", List.of()).privateKey()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not belong to the certificate CN=node1");
    }

    @Test
    void aPkcs12KeystoreLoadsWithItsTrustedEntriesAsCas() throws Exception {
        Path keystore = pkcs12(true, NODE);

        TlsCredentials credentials = TlsCredentials.fromPkcs12(keystore, PASSWORD, List.of());

        assertThat(credentials.subject()).isEqualTo(new X500Principal("CN=node1"));
        assertThat(credentials.trustedCertificates()).containsExactly(CA.certificate());
    }

    @Test
    void aPkcs12KeystoreWithoutCaNeedsACaFile() throws Exception {
        Path keystore = pkcs12(false, NODE);
        assertThatThrownBy(() -> TlsCredentials.fromPkcs12(keystore, PASSWORD, List.of()))
                .hasMessageContaining("has no trusted certificate entry and no CA file was given");

        Path ca = dir.resolve("ca.pem");
        CA.writeCertificate(ca);
        assertThat(TlsCredentials.fromPkcs12(keystore, PASSWORD, List.of(ca)).trustedCertificates())
                .containsExactly(CA.certificate());
    }

    @Test
    void aWrongKeystorePasswordIsSaidSo() throws Exception {
        Path keystore = pkcs12(true, NODE);

        assertThatThrownBy(() -> TlsCredentials.fromPkcs12(keystore, "guess".toCharArray(), List.of()))
                .hasMessage("cannot open keystore '" + keystore + "': wrong password");
    }

    @Test
    void aKeystoreWithTwoKeysIsRefused() throws Exception {
        Path keystore = pkcs12(true, NODE, CA.issue("node2", List.of()));

        assertThatThrownBy(() -> TlsCredentials.fromPkcs12(keystore, PASSWORD, List.of()))
                .hasMessageContaining("must hold exactly one private key, but holds 2");
    }

    @Test
    void aFileThatIsNoKeystoreIsSaidSo() throws Exception {
        Path notKeystore = dir.resolve("ca.pem");
        CA.writeCertificate(notKeystore);

        assertThatThrownBy(() -> TlsCredentials.fromPkcs12(notKeystore, PASSWORD, List.of()))
                .hasMessageContaining("'" + notKeystore + "'");
    }

    private TlsCredentials credentialsWithKey(Path key) throws IOException {
        Path ca = dir.resolve("ca.pem");
        CA.writeCertificate(ca);
        Files.writeString(dir.resolve("node.pem"), Pem.encode("CERTIFICATE", encoded(NODE.certificate())));
        return TlsCredentials.fromPem(List.of(ca), dir.resolve("node.pem"), key);
    }

    private static byte[] encoded(Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new AssertionError(e);
        }
    }

    private Path pkcs12(boolean withCa, ThrowawayAuthority.Issued... identities) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (ThrowawayAuthority.Issued identity : identities) {
            store.setKeyEntry(identity.certificate().getSubjectX500Principal().getName(), identity.privateKey(),
                    PASSWORD, new Certificate[] {identity.certificate(), identity.issuer()});
        }
        if (withCa) {
            store.setCertificateEntry("ca", CA.certificate());
        }
        Path file = dir.resolve("store-" + new BigInteger(64, new java.util.Random()).toString(16) + ".p12");
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, PASSWORD);
        }
        return file;
    }
}
