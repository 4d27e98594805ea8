package migration.cli;

import io.channel.tls.TlsCredentials;
import io.channel.tls.TlsParameters;
import java.util.List;
import migration.authority.ThrowawayAuthority;

/**
 * The TLS setup of {@code demo --tls}: a throwaway CA made for one run, and a certificate from it for each side,
 * kept in memory only. Set up as an operator would: mutual authentication, the source checks that the
 * destination's certificate is made out to the loopback address it connects to, and the destination accepts
 * only the demo source's identity.
 *
 * @param source      the source's TLS parameters
 * @param destination the destination's TLS parameters
 */
record DemoCredentials(TlsParameters source, TlsParameters destination) {

    /** The subject of the demo source's certificate, the one identity the demo destination allows. */
    static final String SOURCE_IDENTITY = "CN=multifd demo source";
    /** The names a demo certificate is made out to: the loopback addresses the demo listens on. */
    private static final List<String> LOOPBACK = List.of("localhost", "127.0.0.1", "::1");

    /** {@return fresh credentials for both sides, from a new CA} */
    static DemoCredentials make() {
        ThrowawayAuthority ca = ThrowawayAuthority.create("multifd demo CA");
        TlsParameters source = TlsParameters.of(credentials(ca.issue("multifd demo source", LOOPBACK)));
        TlsParameters destination = TlsParameters.of(credentials(ca.issue("multifd demo destination", LOOPBACK)))
                .withAllowedPeers(List.of(SOURCE_IDENTITY));
        return new DemoCredentials(source, destination);
    }

    /** {@return credentials presenting an issued certificate and trusting only its issuer} */
    private static TlsCredentials credentials(ThrowawayAuthority.Issued issued) {
        return TlsCredentials.of(List.of(issued.issuer()), List.of(issued.certificate()), issued.privateKey());
    }
}
