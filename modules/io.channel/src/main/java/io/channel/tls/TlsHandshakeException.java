package io.channel.tls;

import java.io.IOException;
import java.util.Objects;

/**
 * A TLS handshake that did not authenticate the peer. {@link #reason()} says why, for programs; the message
 * says why, for people, and names the peer.
 */
public final class TlsHandshakeException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Why a handshake failed. */
    public enum Reason {
        /** The peer's certificate is not signed by a CA this side trusts. */
        UNKNOWN_CA,
        /** The peer's certificate (or a CA certificate in its chain) has expired. */
        EXPIRED,
        /** The peer's certificate (or a CA certificate in its chain) is not valid yet. */
        NOT_YET_VALID,
        /** The server's certificate is not made out to the host name the client expected. */
        WRONG_NAME,
        /** The peer's certificate is valid, but its subject is not in this side's list of allowed identities. */
        IDENTITY_NOT_ALLOWED,
        /** The peer's certificate was rejected for another reason (key usage, algorithm, signature). */
        CERTIFICATE_REJECTED,
        /**
         * The peer refused this side: with a TLS alert (its certificate, or the handshake; a client learns that
         * the server refused its certificate from its first read, as TLS 1.3 checks it last), or after the
         * handshake in its application's own protocol (an identity it does not allow).
         */
        REFUSED_BY_PEER,
        /** The peer's first bytes are not TLS: it speaks plain TCP (or another protocol). */
        NOT_TLS,
        /** The peer closed the connection before the handshake completed. */
        PEER_CLOSED,
        /** The handshake did not complete within the handshake timeout: the peer stalled. */
        TIMEOUT,
        /** Any other failure (no common protocol or cipher suite, an I/O error). */
        OTHER
    }

    private final Reason reason;

    /**
     * Creates the exception.
     *
     * @param reason  why the handshake failed
     * @param message what happened, naming the peer
     * @param cause   the underlying exception, or {@code null}
     */
    public TlsHandshakeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** {@return why the handshake failed} */
    public Reason reason() {
        return reason;
    }
}
