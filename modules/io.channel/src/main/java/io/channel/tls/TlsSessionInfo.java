package io.channel.tls;

import java.util.Objects;
import javax.security.auth.x500.X500Principal;

/**
 * What a completed TLS handshake agreed on, for statistics and logs.
 *
 * @param protocol     the protocol version, {@code "TLSv1.3"}
 * @param cipherSuite  the cipher suite, such as {@code "TLS_AES_128_GCM_SHA256"}
 * @param peerIdentity the subject of the peer's certificate, or {@code null} when the peer sent none (a
 *                     client of a server that does not ask for client certificates)
 * @param localIdentity the subject of the certificate this side presented, or {@code null} when it presented
 *                      none (a client of a server that does not ask for client certificates)
 */
public record TlsSessionInfo(String protocol, String cipherSuite, X500Principal peerIdentity,
                             X500Principal localIdentity) {

    /** Checks the required components. */
    public TlsSessionInfo {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(cipherSuite, "cipherSuite");
    }

    /** {@return for example {@code TLSv1.3 TLS_AES_128_GCM_SHA256, peer 'CN=source'}} */
    @Override
    public String toString() {
        return protocol + " " + cipherSuite + ", peer " + (peerIdentity == null ? "not authenticated"
                : "'" + peerIdentity.getName() + "'");
    }
}
