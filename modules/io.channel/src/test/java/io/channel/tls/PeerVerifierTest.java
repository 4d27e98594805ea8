package io.channel.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;
import migration.authority.ThrowawayAuthority;

class PeerVerifierTest {

    private static final ThrowawayAuthority CA = ThrowawayAuthority.create("unit CA");

    @Test
    void aCertificatesNamesAreListedAsDnsAndIpNames() {
        X509Certificate issued = CA.issue("node", List.of("localhost", "127.0.0.1", "::1")).certificate();

        assertThat(PeerVerifier.names(issued)).isEqualTo("[DNS:localhost, IP:127.0.0.1, IP:0:0:0:0:0:0:0:1]");
    }

    @Test
    void hostNamesMatchAsInRfc6125() {
        X509Certificate wildcard = CA.issue("web", List.of("*.example.org", "db.Example.com", "10.0.0.1"))
                .certificate();
        X509Certificate commonNameOnly = CA.issue("legacy.example.net", List.of()).certificate();

        assertThat(PeerVerifier.matchesHost(wildcard, "a.example.org")).isTrue();
        assertThat(PeerVerifier.matchesHost(wildcard, "a.b.example.org")).isFalse();
        assertThat(PeerVerifier.matchesHost(wildcard, "example.org")).isFalse();
        assertThat(PeerVerifier.matchesHost(wildcard, "DB.example.com.")).isTrue();
        assertThat(PeerVerifier.matchesHost(wildcard, "10.0.0.1")).isTrue();
        assertThat(PeerVerifier.matchesHost(wildcard, "10.0.0.2")).isFalse();
        assertThat(PeerVerifier.matchesHost(commonNameOnly, "legacy.example.net")).isTrue();
        assertThat(PeerVerifier.matchesHost(commonNameOnly, "other.example.net")).isFalse();
    }

    @Test
    void anIdentityOutsideTheAllowedOnesIsRefusedNamingTheAllowedOnes() {
        PeerVerifier.Refusal refusal = PeerVerifier.notAllowed(new X500Principal("CN=source"),
                Set.of(new X500Principal("CN=backup, O=Example")));

        assertThat(refusal.reason()).isEqualTo(TlsHandshakeException.Reason.IDENTITY_NOT_ALLOWED);
        assertThat(refusal).hasMessage("the peer's identity 'CN=source' is not among the allowed identities"
                + " ['CN=backup,O=Example']");
    }
}
