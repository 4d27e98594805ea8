package migration.authority;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The certificates the test kit's authority makes are what TLS tests take them for. */
class ThrowawayAuthorityTest {

    private static final ThrowawayAuthority CA = ThrowawayAuthority.create("unit CA");

    @Test
    void theCaCertificateIsASelfSignedCa() throws Exception {
        X509Certificate ca = CA.certificate();

        ca.verify(ca.getPublicKey());
        assertThat(ca.getBasicConstraints()).isNotNegative();
        assertThat(ca.getKeyUsage()[5]).as("keyCertSign").isTrue();
        assertThat(ca.getSubjectX500Principal().getName()).isEqualTo("CN=unit CA");
    }

    @Test
    void anIssuedCertificateCarriesItsNamesAndBothTlsRoles() throws Exception {
        X509Certificate issued = CA.issue("node", List.of("localhost", "127.0.0.1", "::1")).certificate();

        issued.verify(CA.certificate().getPublicKey());
        assertThat(issued.getBasicConstraints()).isEqualTo(-1);
        assertThat(issued.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(issued.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
        assertThat(issued.getSubjectAlternativeNames()).containsExactly(List.of(2, "localhost"),
                List.of(7, "127.0.0.1"), List.of(7, "0:0:0:0:0:0:0:1"));
        assertThat(issued.getIssuerX500Principal()).isEqualTo(CA.certificate().getSubjectX500Principal());
    }

    @Test
    void validityPeriodsBeyond2049UseGeneralizedTime() {
        Instant notBefore = Instant.parse("2049-12-31T00:00:00Z");
        Instant notAfter = Instant.parse("2051-06-01T12:00:00Z");

        X509Certificate issued = CA.issue("future", List.of(), notBefore, notAfter).certificate();

        assertThat(issued.getNotBefore().toInstant()).isEqualTo(notBefore);
        assertThat(issued.getNotAfter().toInstant()).isEqualTo(notAfter);
    }

    @Test
    void aWrittenKeyIsReadableByItsOwnerOnly(@TempDir Path dir) throws Exception {
        CA.issue("node", List.of()).writePem(dir.resolve("cert.pem"), dir.resolve("key.pem"));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("key.pem"))))
                .isEqualTo("rw-------");
        assertThat(Files.readString(dir.resolve("key.pem"))).startsWith("-----BEGIN PRIVATE KEY-----\n");
    }
}
