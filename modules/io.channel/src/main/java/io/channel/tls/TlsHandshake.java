package io.channel.tls;

import io.channel.tls.TlsHandshakeException.Reason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Duration;
import java.util.HexFormat;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/**
 * A TLS 1.3 handshake (RFC 8446) over the buffers of a {@link TlsRecords}, bounded by a {@link Deadline}, and
 * every way it can fail put in words: which side refused which certificate and why, a peer that speaks no TLS,
 * a peer that stalled or hung up.
 *
 * <p>Nothing but the handshake's own records crosses: the handshake ends when the engine says so, with the
 * peer's certificate verified ({@link PeerVerifier}), and the first application data is the caller's.
 */
final class TlsHandshake {

    /** TLS record content type of a handshake message (RFC 8446 section 5.1). */
    static final int HANDSHAKE_RECORD = 22;
    /** TLS record content type of an alert. */
    private static final int ALERT_RECORD = 21;
    /** Major version byte of every TLS record header ({@code legacy_record_version} 0x0301 or 0x0303). */
    static final int RECORD_MAJOR_VERSION = 3;
    /** How many steps the engine may take to read a refusal after a failed write before giving up. */
    private static final int ALERT_STEPS = 64;

    private final TlsRecords records;
    private final SSLEngine engine;
    private final String peer;
    private final boolean client;
    /** Whether the peer's first two bytes were seen to be a TLS record header. */
    private boolean firstBytesChecked;

    private TlsHandshake(TlsRecords records, boolean client) {
        this.records = records;
        this.engine = records.engine;
        this.peer = records.peer;
        this.client = client;
    }

    /**
     * Runs the whole handshake before returning; on failure sends the engine's alert if it has one and closes
     * the raw channel.
     *
     * @param records the record buffers over the connected raw channel, unused so far
     * @param timeout how long the handshake may take
     * @param client  whether this side is the client
     * @return what the handshake agreed on
     * @throws TlsHandshakeException saying why the handshake failed; the raw channel is then closed
     */
    static TlsSessionInfo run(TlsRecords records, Duration timeout, boolean client) throws TlsHandshakeException {
        return new TlsHandshake(records, client).run(timeout);
    }

    private TlsSessionInfo run(Duration timeout) throws TlsHandshakeException {
        TlsHandshakeException failure = null;
        TlsSessionInfo session = null;
        long started = System.currentTimeMillis();
        try (Deadline deadline = Deadline.start(records.raw, timeout, "tls-handshake " + peer)) {
            try {
                exchange();
                session = sessionInfo(engine.getSession(), started);
            } catch (IOException | RuntimeException e) {
                failure = classify(e, deadline.expired(), timeout);
                if (e instanceof SSLException && !deadline.expired()) {
                    sendAlert();
                }
            }
            if (failure == null && deadline.expired()) {
                failure = classify(new ClosedChannelException(), true, timeout);
            }
        }
        if (failure != null) {
            try {
                records.raw.close();
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
        records.handshakeDone();
        return session;
    }

    /** Wraps, sends, receives and unwraps until the engine's handshake has finished. */
    private void exchange() throws IOException {
        ByteBuffer netOut = records.netOut;
        ByteBuffer appIn = records.appIn;
        engine.beginHandshake();
        HandshakeStatus status = engine.getHandshakeStatus();
        while (status != HandshakeStatus.FINISHED && status != HandshakeStatus.NOT_HANDSHAKING) {
            switch (status) {
                case NEED_WRAP -> {
                    netOut.clear();
                    SSLEngineResult result = engine.wrap(TlsRecords.EMPTY, netOut);
                    try {
                        records.sendNetOut();
                    } catch (IOException e) {
                        throw alertOrBroken(e);
                    }
                    status = result.getHandshakeStatus();
                    if (result.getStatus() == Status.CLOSED) {
                        throw new SSLException("the TLS engine closed during the handshake");
                    }
                }
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
                    appIn.clear();
                    SSLEngineResult result = engine.unwrap(records.netIn, appIn);
                    appIn.flip();
                    status = result.getHandshakeStatus();
                    if (result.getStatus() == Status.BUFFER_UNDERFLOW) {
                        long n;
                        try {
                            n = records.receive();
                        } catch (IOException e) {
                            throw connectionBroke(e);
                        }
                        if (n < 0) {
                            throw new TlsHandshakeException(Reason.PEER_CLOSED, "the " + peer + " closed the"
                                    + " connection during the TLS handshake; if it runs without TLS, configure TLS"
                                    + " on both sides", null);
                        }
                        checkLooksLikeTls();
                    } else if (result.getStatus() == Status.CLOSED) {
                        throw new SSLException("the peer closed TLS during the handshake");
                    }
                }
                case NEED_TASK -> {
                    records.runTasks();
                    status = engine.getHandshakeStatus();
                }
                default -> throw new AssertionError(status);
            }
        }
    }

    private TlsHandshakeException connectionBroke(IOException e) {
        return new TlsHandshakeException(Reason.PEER_CLOSED, "the connection to the " + peer + " broke during the"
                + " TLS handshake (" + e.getMessage() + "); if the peer runs without TLS, configure TLS on both"
                + " sides", e);
    }

    /** {@return the failure for an alert the peer sent: it refused this side, and what the alert means} */
    private TlsHandshakeException refusedBy(SSLException e) {
        TlsAlert alert = TlsAlert.received(e);
        if (alert == null) {
            return new TlsHandshakeException(Reason.OTHER, "the TLS handshake with the " + peer + " failed: "
                    + e.getMessage(), e);
        }
        return new TlsHandshakeException(Reason.REFUSED_BY_PEER, "the " + peer + " refused this side's"
                + " certificate (" + alert + ")", e);
    }

    /**
     * After a write failed, the peer's alert may be waiting unread: a peer that refuses this side sends its
     * alert and closes, and this side's next write then meets the reset. Reads what came before the failure
     * so that the refusal, not the broken connection, is reported; what this side still had to send is
     * dropped. The handshake's deadline bounds it.
     */
    private TlsHandshakeException alertOrBroken(IOException broken) {
        ByteBuffer appIn = records.appIn;
        try {
            for (int step = 0; step < ALERT_STEPS; step++) {
                HandshakeStatus status = engine.getHandshakeStatus();
                if (status == HandshakeStatus.NEED_TASK) {
                    records.runTasks();
                } else if (status == HandshakeStatus.NEED_WRAP) {
                    records.netOut.clear();
                    engine.wrap(TlsRecords.EMPTY, records.netOut);
                    records.netOut.clear();
                } else if (records.netIn.hasRemaining()) {
                    appIn.clear();
                    SSLEngineResult result = engine.unwrap(records.netIn, appIn);
                    appIn.flip();
                    if (result.bytesConsumed() == 0 && records.receive() < 0) {
                        break;
                    }
                } else if (records.receive() < 0) {
                    break;
                }
            }
        } catch (SSLException e) {
            if (TlsAlert.received(e) != null) {
                return refusedBy(e);
            }
        } catch (IOException | RuntimeException e) {
            // Nothing more to learn from a broken connection.
        }
        return connectionBroke(broken);
    }

    /** Refuses a peer whose first bytes are no TLS record header (a plain-TCP peer, or another protocol). */
    private void checkLooksLikeTls() throws TlsHandshakeException {
        ByteBuffer netIn = records.netIn;
        // Only the peer's very first bytes: later reads start anywhere in a record.
        if (firstBytesChecked || netIn.limit() < 2) {
            return;
        }
        firstBytesChecked = true;
        int type = netIn.get(0);
        boolean tls = (type == HANDSHAKE_RECORD || type == ALERT_RECORD) && netIn.get(1) == RECORD_MAJOR_VERSION;
        if (!tls) {
            byte[] first = new byte[Math.min(8, netIn.limit())];
            netIn.get(0, first);
            String ascii = new String(first, StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", ".");
            throw new TlsHandshakeException(Reason.NOT_TLS, "the " + peer + " does not speak TLS: its first bytes"
                    + " are " + HexFormat.ofDelimiter(" ").formatHex(first) + " (\"" + ascii + "\"), not a TLS"
                    + " record; configure TLS on both sides or on neither", null);
        }
    }

    private TlsHandshakeException classify(Exception e, boolean expired, Duration timeout) {
        if (expired) {
            return new TlsHandshakeException(Reason.TIMEOUT, "the TLS handshake with the " + peer
                    + " did not complete within " + timeout.toMillis() + " ms: the peer stalled"
                    + (client ? "" : " (or it is a plain-TCP client waiting for this side to speak first)"), e);
        }
        if (e instanceof TlsHandshakeException known) {
            return known;
        }
        if (e instanceof SSLException ssl && TlsAlert.received(ssl) != null) {
            return refusedBy(ssl);
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof PeerVerifier.Refusal refusal) {
                return new TlsHandshakeException(refusal.reason(), "refused the " + peer + ": "
                        + refusal.getMessage(), e);
            }
        }
        return new TlsHandshakeException(Reason.OTHER, "the TLS handshake with the " + peer + " failed: "
                + e.getMessage(), e);
    }

    /** Sends what the engine has to say after a failure (its fatal alert); errors are of no interest. */
    private void sendAlert() {
        records.writeLock.lock();
        try {
            records.netOut.clear();
            engine.closeOutbound();
            while (!engine.isOutboundDone()) {
                SSLEngineResult result = engine.wrap(TlsRecords.EMPTY, records.netOut);
                if (result.bytesProduced() == 0) {
                    break;
                }
            }
            records.sendNetOut();
        } catch (IOException | RuntimeException e) {
            // The peer may be gone; the handshake failure is what matters.
        } finally {
            records.writeLock.unlock();
        }
    }

    /**
     * {@return what the handshake agreed on} A session created before this handshake started was resumed: the JDK
     * gives a resumed session the creation time of the session it resumes (the session of the handshake that
     * checked the certificates), and a new one the time it was made, during this handshake.
     * @param ssl     the engine's session after the handshake
     * @param started {@link System#currentTimeMillis()} just before the handshake started
     */
    private static TlsSessionInfo sessionInfo(SSLSession ssl, long started) {
        X500Principal peerIdentity;
        try {
            Principal principal = ssl.getPeerPrincipal();
            peerIdentity = principal instanceof X500Principal x500 ? x500 : null;
        } catch (SSLPeerUnverifiedException e) {
            peerIdentity = null;
        }
        return new TlsSessionInfo(ssl.getProtocol(), ssl.getCipherSuite(), peerIdentity,
                (X500Principal) ssl.getLocalPrincipal(), ssl.getCreationTime() < started);
    }
}
