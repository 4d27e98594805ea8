package io.channel.tls;

import java.util.Objects;
import javax.security.auth.x500.X500Principal;

/**
 * What a completed TLS handshake agreed on, for statistics and logs.
 *
 * @param protocol     the protocol version, {@code "TLSv1.3"}
 * @param cipherSuite  the cipher suite, such as {@code "TLS_AES_128_GCM_SHA256"}
 * @param peerIdentity the subject of the peer's certificate, or {@code null} when the peer sent none (a
 *                     client of a server that does not ask for client certificates); on a resumed session, the
 *                     certificate checked by the handshake that made it
 * @param localIdentity the subject of the certificate this side presented, or {@code null} when it presented
 *                      none (a client of a server that does not ask for client certificates)
 * @param resumed      whether the handshake resumed a session of an earlier connection (RFC 8446 section 2.2)
 *                     instead of exchanging certificates (see {@link TlsParameters#SESSION_LIFETIME})
 */
public record TlsSessionInfo(String protocol, String cipherSuite, X500Principal peerIdentity,
                             X500Principal localIdentity, boolean resumed) {

    /** Checks the required components. */
    public TlsSessionInfo {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(cipherSuite, "cipherSuite");
    }

    /**
     * The outcome of a full handshake, one that exchanged certificates.
     *
     * @param protocol      the protocol version
     * @param cipherSuite   the cipher suite
     * @param peerIdentity  the subject of the peer's certificate, or {@code null}
     * @param localIdentity the subject of this side's certificate, or {@code null}
     */
    public TlsSessionInfo(String protocol, String cipherSuite, X500Principal peerIdentity,
                          X500Principal localIdentity) {
        this(protocol, cipherSuite, peerIdentity, localIdentity, false);
    }

    /** {@return for example {@code TLSv1.3 TLS_AES_128_GCM_SHA256, peer 'CN=source'}, and whether resumed} */
    @Override
    public String toString() {
        return protocol + " " + cipherSuite + ", peer " + (peerIdentity == null ? "not authenticated"
                : "'" + peerIdentity.getName() + "'") + (resumed ? ", resumed" : "");
    }
}
