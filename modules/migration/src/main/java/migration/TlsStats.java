package migration;

import io.channel.tls.TlsSessionInfo;

/**
 * Whether the migration's channels run TLS, and what the handshake agreed on.
 *
 * @param enabled      whether TLS was configured; every channel then runs it
 * @param protocol     the protocol version, such as {@code "TLSv1.3"}, or {@code null} before a handshake
 * @param cipherSuite  the cipher suite, or {@code null} before a handshake
 * @param peerIdentity the subject of the peer's certificate, or {@code null} before a handshake (or when the
 *                     peer presented none)
 */
public record TlsStats(boolean enabled, String protocol, String cipherSuite, String peerIdentity) {

    /** Plain TCP. */
    public static final TlsStats OFF = new TlsStats(false, null, null, null);

    /**
     * {@return the statistics of a completed handshake, or of TLS configured but not yet shaken hands}
     * @param session the handshake's outcome, or {@code null} before the first
     */
    public static TlsStats of(TlsSessionInfo session) {
        return session == null ? new TlsStats(true, null, null, null)
                : new TlsStats(true, session.protocol(), session.cipherSuite(),
                        session.peerIdentity() == null ? null : session.peerIdentity().getName());
    }
}
