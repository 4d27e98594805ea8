package io.channel.tls;

import io.channel.ChannelStatistics;
import io.channel.Feature;
import io.channel.FlushResult;
import io.channel.IOChannel;
import io.channel.ShutdownDirection;
import io.channel.tls.TlsHandshakeException.Reason;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLEngineResult.Status;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;

/**
 * TLS 1.3 over any connected {@link IOChannel}, through the JDK's own TLS ({@link SSLEngine}).
 *
 * <p>{@link #client(IOChannel, String, TlsParameters)} and {@link #server(IOChannel, TlsParameters)} take
 * ownership of a freshly connected channel, run the whole handshake before they return (bounded by
 * {@link TlsParameters#handshakeTimeout()}), and return a channel on which every byte written is encrypted and
 * every byte read was authenticated; or they close the channel and throw a {@link TlsHandshakeException} that
 * says why. No application byte crosses before the peer is authenticated.
 *
 * <p>After the TLS handshake the server sends one confirmation byte that the client reads before
 * {@link #client} returns. In TLS 1.3 the client finishes its handshake before the server has checked the
 * client's certificate; the confirmation makes a refused client learn it from {@code client()}, not from its
 * first read. A server checks the client's identity against {@link TlsParameters#allowedPeers()} after the
 * handshake and, instead of the confirmation, sends a refusal byte with the reason (a 2-byte big-endian length
 * and at most {@value #MAX_REFUSAL} bytes of UTF-8), then {@code close_notify}: a TLS alert carries no reason,
 * and the refused client must learn why. Both ends must therefore be {@code TlsChannel}s.
 *
 * <p>The {@link IOChannel} contract holds: {@code writev} encrypts as much as fits in one batch of records
 * (about 256 KiB) and returns the number of plaintext bytes sent; {@code readv} returns what is decrypted
 * from the records already received, blocking only when there is none. Records are decrypted straight into the
 * caller's segments when they fit. {@link io.channel.WriteFlag#ZERO_COPY} is not supported ({@link #features()} lacks
 * {@link Feature#WRITE_ZERO_COPY}): every byte is encrypted into this channel's own buffer before it is sent.
 * One thread may write while another reads. {@link #close()} sends a {@code close_notify} alert when no write
 * is in progress, then closes the underlying channel; a reader that meets the end of the stream without the
 * peer's {@code close_notify} gets an {@link EOFException} (the stream may have been cut short).
 *
 * @see TlsParameters
 */
public final class TlsChannel extends IOChannel {

    /** TLS record content type of a handshake message (RFC 8446 section 5.1). */
    private static final int HANDSHAKE_RECORD = 22;
    /** TLS record content type of an alert. */
    private static final int ALERT_RECORD = 21;
    /** Major version byte of every TLS record header ({@code legacy_record_version} 0x0301 or 0x0303). */
    private static final int RECORD_MAJOR_VERSION = 3;
    /** Records per batch in each direction: one raw write or read moves up to this many. */
    private static final int RECORDS_PER_BATCH = 16;
    /** The confirmation byte a server sends once it accepted the client. */
    private static final byte ACCEPTED = 1;
    /** The byte a server sends instead when it refuses the client's identity; the reason follows. */
    private static final byte REFUSED = 2;
    /** The longest refusal reason, in bytes of UTF-8. */
    private static final int MAX_REFUSAL = 1024;
    /** How long {@link #close()} may spend sending {@code close_notify} to a peer that does not read. */
    private static final Duration CLOSE_NOTIFY_TIMEOUT = Duration.ofSeconds(1);
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final IOChannel raw;
    private final SSLEngine engine;
    private final String peer;
    private final Set<Feature> features;
    private final int packetSize;
    // Heap buffers on purpose: the JDK's AES-GCM is faster on heap arrays than on direct buffers, which it
    // moves through temporary arrays (JDK 25, AVX2 + VAES, one core, a 16 KiB record in place: sealing 1.5
    // times, opening 1.2 times as fast), and that outweighs one copy between heap and native memory (Netty
    // makes the same choice for the JDK's engine). A raw channel with Feature.HEAP_IN_PLACE (the Linux
    // provider: critical send/recv downcalls) is handed these buffers as they are, and the kernel copies
    // straight between them and the socket. Any other raw channel gets native copies made here, in buffers of
    // this channel's own (wireOut, wireIn): the JDK's SocketChannel copies a heap buffer through a temporary
    // direct one anyway, and a provider could allocate such scratch per call. docs/tls-performance.md has the
    // measurements.
    //
    // Every copy between these heap buffers and native memory goes through the array forms of
    // MemorySegment.copy, never the segment-to-segment form: below 64 bytes that one copies element by element
    // through Unsafe accessors whose profile the whole process shares (a provider reading its pollfd and iovec
    // structs makes it see only native memory), and C2 speculates on that profile. A short copy from a heap
    // buffer at the start or end of every connection (a confirmation byte, a short record) then failed the
    // speculation and threw away the compiled read and write paths, with the receiver's packet loop that
    // inlines them, in every migration (JDK 25; docs/tls-performance.md). For the same reason the handshake's
    // own messages use native memory ({@link #control}), so the data path sees native caller segments only.
    /** Ciphertext to send; touched only under {@link #writeLock}. */
    private final ByteBuffer netOut;
    /**
     * What the raw channel is handed: {@link #netOut}'s array itself when it takes heap memory in place,
     * otherwise native memory of this channel's own that {@link #netOut} is copied into; under {@link #writeLock}.
     */
    private final MemorySegment wireOut;
    /** Ciphertext received; {@code [position, limit)} is not yet decrypted. Reader thread only. */
    private final ByteBuffer netIn;
    /**
     * What the raw channel reads into: {@link #netIn}'s array itself when it takes heap memory in place,
     * otherwise native memory whose bytes are then copied into {@link #netIn}. Reader thread only.
     */
    private final MemorySegment wireIn;
    /** Whether {@link #wireOut} and {@link #wireIn} are the record buffers' own arrays (no copy to make). */
    private final boolean wireIsHeap;
    /** Plaintext of a record too large for the caller's segments; {@code [position, limit)} is unread. */
    private final ByteBuffer appIn;
    /**
     * Native memory for the confirmation byte and a refusal, written or read before any caller's data; used by
     * the handshake thread only.
     */
    private final MemorySegment control;
    /** Serializes everything that sends: writes, handshake messages, alerts. */
    private final ReentrantLock writeLock = new ReentrantLock();
    private final LongAdder written = new LongAdder();
    private final LongAdder read = new LongAdder();
    private volatile boolean handshaking = true;
    /** Whether the peer's first two bytes were seen to be a TLS record header; handshake thread only. */
    private boolean firstBytesChecked;
    private volatile boolean readShutdown;
    private boolean outputClosed;
    private TlsSessionInfo session;

    private TlsChannel(IOChannel raw, SSLEngine engine, String peer) {
        this.raw = raw;
        this.engine = engine;
        this.peer = peer;
        this.features = raw.features().contains(Feature.SHUTDOWN) ? Set.of(Feature.SHUTDOWN) : Set.of();
        SSLSession initial = engine.getSession();
        this.packetSize = initial.getPacketBufferSize();
        this.netOut = ByteBuffer.allocate(packetSize * RECORDS_PER_BATCH);
        this.netIn = ByteBuffer.allocate(packetSize * RECORDS_PER_BATCH);
        // An automatic arena: a reader may still be inside the raw channel's read when close() returns, so
        // the memory must outlive close(); it goes when this channel is unreachable.
        Arena wire = Arena.ofAuto();
        this.wireIsHeap = raw.features().contains(Feature.HEAP_IN_PLACE);
        this.wireOut = wireIsHeap ? MemorySegment.ofArray(netOut.array()) : wire.allocate(netOut.capacity());
        this.wireIn = wireIsHeap ? MemorySegment.ofArray(netIn.array()) : wire.allocate(netIn.capacity());
        this.control = wire.allocate(3 + MAX_REFUSAL);
        this.netIn.limit(0);
        // IMPORTANT: as large as a whole record, not just its plaintext: the engine refuses (BUFFER_OVERFLOW) a
        // buffer smaller than its estimate of the plaintext, which is the record's length less the header only.
        this.appIn = ByteBuffer.allocate(Math.max(initial.getApplicationBufferSize(), packetSize));
        this.appIn.limit(0);
    }

    /**
     * Runs the client side of the handshake on a connected channel.
     *
     * @param raw        the connected channel; this call owns it from now on and closes it on failure
     * @param host       the host name or address the channel was connected to: the name the server's
     *                   certificate must carry unless {@link TlsParameters#hostname()} names another
     * @param parameters credentials and checks
     * @return the channel, authenticated both ways (unless the server does not ask for client certificates)
     * @throws TlsHandshakeException if the handshake failed or was refused; {@code raw} is then closed
     * @throws IOException           if closing {@code raw} after a failure failed
     */
    public static TlsChannel client(IOChannel raw, String host, TlsParameters parameters) throws IOException {
        SSLEngine engine = parameters.engine(true, host, raw.remoteAddress().getPort());
        return new TlsChannel(raw, engine, "server " + describe(raw.remoteAddress()))
                .handshake(parameters.handshakeTimeout(), true, Set.of());
    }

    /**
     * Runs the server side of the handshake on an accepted channel.
     *
     * @param raw        the accepted channel; this call owns it from now on and closes it on failure
     * @param parameters credentials and checks
     * @return the channel, authenticated both ways (unless client certificates are not required)
     * @throws TlsHandshakeException if the handshake failed or the client was refused; {@code raw} is then
     *                               closed
     * @throws IOException           if closing {@code raw} after a failure failed
     */
    public static TlsChannel server(IOChannel raw, TlsParameters parameters) throws IOException {
        SSLEngine engine = parameters.engine(false, null, 0);
        return new TlsChannel(raw, engine, "client " + describe(raw.remoteAddress()))
                .handshake(parameters.handshakeTimeout(), false, parameters.allowedPeers());
    }

    /**
     * Tells whether the first bytes a plain-TCP peer received look like the start of a TLS handshake, so that
     * a server without TLS can say "the peer speaks TLS" instead of "bad magic".
     *
     * @param prefix the first bytes received (at least two are needed for a yes)
     * @return whether they are a TLS handshake record header
     */
    public static boolean looksLikeTls(MemorySegment prefix) {
        return prefix.byteSize() >= 2 && prefix.get(ValueLayout.JAVA_BYTE, 0) == HANDSHAKE_RECORD
                && prefix.get(ValueLayout.JAVA_BYTE, 1) == RECORD_MAJOR_VERSION;
    }

    /** {@return what the handshake agreed on: protocol, cipher suite, both identities} */
    public TlsSessionInfo session() {
        return session;
    }

    @Override
    public Set<Feature> features() {
        return features;
    }

    @Override
    public String providerName() {
        return raw.providerName();
    }

    @Override
    public String zeroCopyUnavailableReason() {
        return "TLS encrypts every byte into its own buffer before sending, so no page of the caller's is sent"
                + " as it is (QEMU: Zero copy only available for non-compressed non-TLS multifd migration)";
    }

    @Override
    public InetSocketAddress localAddress() {
        return raw.localAddress();
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return raw.remoteAddress();
    }

    /** {@return the plaintext bytes written and read; TLS adds about 22 bytes per 16 KiB record on the wire} */
    @Override
    public ChannelStatistics statistics() {
        return new ChannelStatistics(written.sum(), read.sum(), 0, 0, 0, 0, 0);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Handshake

    /**
     * @param allowedClients on a server, the client identities accepted (empty: any); the server's own
     *                       identity is checked during the handshake ({@link PeerVerifier})
     */
    private TlsChannel handshake(Duration timeout, boolean client, Set<X500Principal> allowedClients)
            throws IOException {
        TlsHandshakeException failure = null;
        try (Deadline deadline = Deadline.start(raw, timeout, "tls-handshake " + peer)) {
            try {
                runHandshake();
                handshaking = false;
                confirm(client, allowedClients);
                session = sessionInfo();
            } catch (IOException | RuntimeException e) {
                failure = classify(e, deadline.expired(), timeout, client);
                if (e instanceof SSLException && !deadline.expired()) {
                    sendAlert();
                }
            }
            if (failure == null && deadline.expired()) {
                failure = classify(new ClosedChannelException(), true, timeout, client);
            }
        }
        if (failure != null) {
            try {
                raw.close();
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
        return this;
    }

    private void runHandshake() throws IOException {
        engine.beginHandshake();
        HandshakeStatus status = engine.getHandshakeStatus();
        while (status != HandshakeStatus.FINISHED && status != HandshakeStatus.NOT_HANDSHAKING) {
            switch (status) {
                case NEED_WRAP -> {
                    netOut.clear();
                    SSLEngineResult result = engine.wrap(EMPTY, netOut);
                    try {
                        sendNetOut();
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
                    SSLEngineResult result = engine.unwrap(netIn, appIn);
                    appIn.flip();
                    status = result.getHandshakeStatus();
                    if (result.getStatus() == Status.BUFFER_UNDERFLOW) {
                        long n;
                        try {
                            n = receive();
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
                    runTasks();
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

    /**
     * The server sends {@link #ACCEPTED}, or {@link #REFUSED} and why when the client's identity is not
     * allowed; the client waits for it.
     */
    private void confirm(boolean client, Set<X500Principal> allowedClients) throws IOException {
        if (!client) {
            X500Principal identity = sessionInfo().peerIdentity();
            PeerVerifier.Refusal refusal = PeerVerifier.notAllowed(identity, allowedClients);
            if (refusal != null) {
                refuse(identity == null ? "this side sent no certificate, and the server allows only certain"
                        + " identities" : "the identity '" + identity.getName() + "' of this side's certificate is"
                        + " not among the identities the server allows", refusal);
            }
            control.set(ValueLayout.JAVA_BYTE, 0, ACCEPTED);
            implWritev(new MemorySegment[] {control.asSlice(0, 1)}, 0, 1, false);
            written.reset();
            return;
        }
        byte[] answer = new byte[1];
        if (!readDuringConfirm(answer)) {
            throw new TlsHandshakeException(Reason.PEER_CLOSED, "the " + peer + " closed the connection after the"
                    + " TLS handshake without accepting this side", null);
        }
        if (answer[0] == REFUSED) {
            throw new TlsHandshakeException(Reason.REFUSED_BY_PEER, "the " + peer + " refused this side after the"
                    + " TLS handshake: " + refusalReason(), null);
        }
        if (answer[0] != ACCEPTED) {
            throw new TlsHandshakeException(Reason.OTHER, "the " + peer + " sent " + answer[0] + " instead of the"
                    + " TLS confirmation byte: it is not a TlsChannel server", null);
        }
        read.reset();
    }

    /** Tells the client why it is refused, closes this side's output, and fails the handshake. */
    private void refuse(String told, PeerVerifier.Refusal refusal) throws IOException {
        byte[] text = told.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(text.length, MAX_REFUSAL);
        byte[] message = new byte[3 + length];
        message[0] = REFUSED;
        message[1] = (byte) (length >>> 8);
        message[2] = (byte) length;
        System.arraycopy(text, 0, message, 3, length);
        MemorySegment.copy(message, 0, control, ValueLayout.JAVA_BYTE, 0, message.length);
        implWritev(new MemorySegment[] {control.asSlice(0, message.length)}, 0, 1, false);
        writeLock.lock();
        try {
            closeOutput();
        } finally {
            writeLock.unlock();
        }
        throw new TlsHandshakeException(refusal.reason(), "refused the " + peer + ": " + refusal.getMessage(),
                refusal);
    }

    /** {@return the reason a refusing server sent, with anything unprintable shown as {@code ?}} */
    private String refusalReason() throws IOException {
        byte[] header = new byte[2];
        if (!readDuringConfirm(header)) {
            return "(it gave no reason)";
        }
        int length = (header[0] & 0xff) << 8 | header[1] & 0xff;
        if (length > MAX_REFUSAL) {
            return "(its reason is " + length + " bytes long, more than the " + MAX_REFUSAL + " allowed)";
        }
        byte[] text = new byte[length];
        if (!readDuringConfirm(text)) {
            return "(its reason was cut short)";
        }
        StringBuilder shown = new StringBuilder();
        new String(text, StandardCharsets.UTF_8).codePoints().forEach(c -> shown.appendCodePoint(
                Character.isISOControl(c) || Character.getType(c) == Character.FORMAT ? '?' : c));
        return shown.toString();
    }

    /**
     * Reads exactly {@code bytes.length} bytes of the server's answer.
     *
     * @return whether they all came ({@code false}: the server closed first)
     * @throws TlsHandshakeException if the server sent an alert or the connection broke
     */
    private boolean readDuringConfirm(byte[] bytes) throws TlsHandshakeException {
        MemorySegment target = control.asSlice(0, bytes.length);
        long done = 0;
        while (done < bytes.length) {
            long n;
            try {
                n = implReadv(new MemorySegment[] {target.asSlice(done)}, 0, 1);
            } catch (EOFException e) {
                return false;
            } catch (SSLException e) {
                throw refusedBy(e);
            } catch (IOException e) {
                throw connectionBroke(e);
            }
            if (n < 0) {
                return false;
            }
            done += n;
        }
        MemorySegment.copy(target, ValueLayout.JAVA_BYTE, 0, bytes, 0, bytes.length);
        return true;
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
        try {
            for (int step = 0; step < 64; step++) {
                HandshakeStatus status = engine.getHandshakeStatus();
                if (status == HandshakeStatus.NEED_TASK) {
                    runTasks();
                } else if (status == HandshakeStatus.NEED_WRAP) {
                    netOut.clear();
                    engine.wrap(EMPTY, netOut);
                    netOut.clear();
                } else if (netIn.hasRemaining()) {
                    appIn.clear();
                    SSLEngineResult result = engine.unwrap(netIn, appIn);
                    appIn.flip();
                    if (result.bytesConsumed() == 0 && receive() < 0) {
                        break;
                    }
                } else if (receive() < 0) {
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
            String ascii = new String(first, java.nio.charset.StandardCharsets.ISO_8859_1)
                    .replaceAll("[^\\x20-\\x7e]", ".");
            throw new TlsHandshakeException(Reason.NOT_TLS, "the " + peer + " does not speak TLS: its first bytes"
                    + " are " + HexFormat.ofDelimiter(" ").formatHex(first) + " (\"" + ascii + "\"), not a TLS"
                    + " record; configure TLS on both sides or on neither", null);
        }
    }

    private TlsHandshakeException classify(Exception e, boolean expired, Duration timeout, boolean client) {
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
        writeLock.lock();
        try {
            netOut.clear();
            engine.closeOutbound();
            while (!engine.isOutboundDone()) {
                SSLEngineResult result = engine.wrap(EMPTY, netOut);
                if (result.bytesProduced() == 0) {
                    break;
                }
            }
            sendNetOut();
        } catch (IOException | RuntimeException e) {
            // The peer may be gone; the handshake failure is what matters.
        } finally {
            writeLock.unlock();
        }
    }

    private SSLSession sslSession() {
        return engine.getSession();
    }

    private TlsSessionInfo sessionInfo() {
        SSLSession ssl = sslSession();
        X500Principal peerIdentity;
        try {
            Principal principal = ssl.getPeerPrincipal();
            peerIdentity = principal instanceof X500Principal x500 ? x500 : null;
        } catch (SSLPeerUnverifiedException e) {
            peerIdentity = null;
        }
        return new TlsSessionInfo(ssl.getProtocol(), ssl.getCipherSuite(), peerIdentity,
                (X500Principal) ssl.getLocalPrincipal());
    }

    private void runTasks() {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null) {
            task.run();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Data

    @Override
    protected long implWritev(MemorySegment[] iov, int offset, int length, boolean zeroCopy) throws IOException {
        writeLock.lock();
        try {
            if (outputClosed) {
                throw new ClosedChannelException();
            }
            ByteBuffer[] sources = buffers(iov, offset, length, netOut.capacity() - packetSize);
            netOut.clear();
            long consumed = 0;
            int first = 0;
            while (first < sources.length && netOut.remaining() >= packetSize) {
                SSLEngineResult result = engine.wrap(sources, first, sources.length - first, netOut);
                if (result.getStatus() == Status.CLOSED) {
                    throw new SSLException("TLS output to the " + peer + " is closed");
                }
                consumed += result.bytesConsumed();
                if (result.getHandshakeStatus() == HandshakeStatus.NEED_TASK) {
                    runTasks();
                }
                while (first < sources.length && !sources[first].hasRemaining()) {
                    first++;
                }
            }
            wrapHandshakeMessages();
            sendNetOut();
            written.add(consumed);
            return consumed;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    protected long implReadv(MemorySegment[] iov, int offset, int length) throws IOException {
        if (appIn.hasRemaining()) {
            return copyOutPlaintext(iov, offset, length);
        }
        ByteBuffer[] targets = buffers(iov, offset, length, netIn.capacity());
        long produced = 0;
        while (true) {
            if (netIn.hasRemaining()) {
                SSLEngineResult result = engine.unwrap(netIn, targets, 0, targets.length);
                produced += result.bytesProduced();
                afterUnwrap(result);
                switch (result.getStatus()) {
                    case OK -> {
                        continue;
                    }
                    case CLOSED -> {
                        // The peer's close_notify: end of stream after what it sent before.
                        read.add(produced);
                        return produced > 0 ? produced : -1;
                    }
                    case BUFFER_OVERFLOW -> {
                        if (produced > 0) {
                            read.add(produced);
                            return produced;
                        }
                        // The next record is larger than the caller's segments: decrypt it aside. The engine
                        // says so from the record's header alone, so the record may not be complete yet.
                        appIn.clear();
                        SSLEngineResult aside = engine.unwrap(netIn, appIn);
                        appIn.flip();
                        afterUnwrap(aside);
                        switch (aside.getStatus()) {
                            case OK -> {
                                if (appIn.hasRemaining()) {
                                    return copyOutPlaintext(iov, offset, length);
                                }
                                continue;
                            }
                            case CLOSED -> {
                                return -1;
                            }
                            case BUFFER_OVERFLOW -> throw new IllegalStateException("a TLS record does not fit the "
                                    + appIn.capacity() + "-byte plaintext buffer (packet size " + packetSize + ")");
                            case BUFFER_UNDERFLOW -> {
                                // Read the rest of the record below.
                            }
                        }
                    }
                    case BUFFER_UNDERFLOW -> {
                        if (produced > 0) {
                            read.add(produced);
                            return produced;
                        }
                    }
                }
            } else if (produced > 0) {
                read.add(produced);
                return produced;
            }
            if (receive() < 0) {
                if (readShutdown || engine.isInboundDone()) {
                    return -1;
                }
                throw new EOFException("the " + peer + " closed the connection without a TLS close_notify alert:"
                        + " what it sent may have been cut short");
            }
        }
    }

    /** Handles what the engine wants after an unwrap: its delegated tasks, or a message to send (KeyUpdate). */
    private void afterUnwrap(SSLEngineResult result) throws IOException {
        HandshakeStatus status = result.getHandshakeStatus();
        if (status == HandshakeStatus.NEED_TASK) {
            runTasks();
            status = engine.getHandshakeStatus();
        }
        // A writer holding the lock sends the message with its own records (wrap puts it first); never wait
        // for the lock here, as a writer blocked on a full socket could wait on this reader's peer.
        if (status == HandshakeStatus.NEED_WRAP && !handshaking && writeLock.tryLock()) {
            try {
                netOut.clear();
                wrapHandshakeMessages();
                sendNetOut();
            } finally {
                writeLock.unlock();
            }
        }
    }

    /** Appends pending post-handshake messages to {@link #netOut}; under {@link #writeLock}. */
    private void wrapHandshakeMessages() throws SSLException {
        while (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP && netOut.remaining() >= packetSize) {
            SSLEngineResult result = engine.wrap(EMPTY, netOut);
            if (result.bytesProduced() == 0) {
                return;
            }
        }
    }

    private long copyOutPlaintext(MemorySegment[] iov, int offset, int length) {
        long copied = 0;
        for (int i = offset; i < offset + length && appIn.hasRemaining(); i++) {
            long n = Math.min(iov[i].byteSize(), appIn.remaining());
            MemorySegment.copy(appIn.array(), appIn.arrayOffset() + appIn.position(), iov[i], ValueLayout.JAVA_BYTE,
                    0, (int) n);
            appIn.position(appIn.position() + (int) n);
            copied += n;
        }
        read.add(copied);
        return copied;
    }

    /** Writes all of {@code netOut[0, position)} to the underlying channel. */
    private void sendNetOut() throws IOException {
        int length = netOut.position();
        if (length > 0) {
            if (!wireIsHeap) {
                MemorySegment.copy(netOut.array(), 0, wireOut, ValueLayout.JAVA_BYTE, 0, length);
            }
            raw.writeAll(wireOut.asSlice(0, length));
        }
        netOut.clear();
    }

    /**
     * Reads more ciphertext after what {@link #netIn} holds. What is left (at most a partial record, as this
     * is called only when the engine needs more) first moves to the front, so that every read may fill the
     * whole buffer rather than the sliver after the last record.
     *
     * @return bytes read, or {@code -1} at end of stream
     */
    private long receive() throws IOException {
        if (netIn.position() > 0) {
            netIn.compact();
            netIn.flip();
        }
        int end = netIn.limit();
        // On the heap, the raw channel reads after what netIn holds; in native memory, into the front of wireIn.
        // A new array per read, not one kept in a field: C2 traps on the first store into a MemorySegment[] it
        // did not allocate (IOChannel.remainder says why).
        long n = raw.readv(new MemorySegment[] {wireIn.asSlice(wireIsHeap ? end : 0, netIn.capacity() - end)},
                0, 1);
        if (n > 0) {
            if (!wireIsHeap) {
                MemorySegment.copy(wireIn, ValueLayout.JAVA_BYTE, 0, netIn.array(), end, (int) n);
            }
            netIn.limit(end + (int) n);
        }
        return n;
    }

    /**
     * Views the caller's segments as byte buffers, up to about {@code limit} bytes in all: a write or read
     * never moves more than one batch, so there is no point making more views.
     */
    private static ByteBuffer[] buffers(MemorySegment[] iov, int offset, int length, long limit) {
        ByteBuffer[] buffers = new ByteBuffer[Math.min(length, 64)];
        long total = 0;
        int count = 0;
        for (int i = offset; i < offset + length && total < limit; i++) {
            if (count == buffers.length) {
                buffers = Arrays.copyOf(buffers, Math.min(length, count * 2));
            }
            MemorySegment segment = iov[i];
            long size = Math.min(segment.byteSize(), limit - total);
            buffers[count++] = (size == segment.byteSize() ? segment : segment.asSlice(0, size)).asByteBuffer();
            total += size;
        }
        return count == buffers.length ? buffers : Arrays.copyOf(buffers, count);
    }

    @Override
    protected FlushResult implFlush() {
        return FlushResult.NOTHING_PENDING;
    }

    @Override
    protected void implShutdown(ShutdownDirection direction) throws IOException {
        switch (direction) {
            case READ -> {
                readShutdown = true;
                raw.shutdown(ShutdownDirection.READ);
            }
            case WRITE -> {
                writeLock.lock();
                try {
                    closeOutput();
                } finally {
                    writeLock.unlock();
                }
                raw.shutdown(ShutdownDirection.WRITE);
            }
            case BOTH -> {
                // Wakes blocked threads at once; a close_notify could itself block.
                readShutdown = true;
                raw.shutdown(ShutdownDirection.BOTH);
            }
        }
    }

    /** Sends {@code close_notify} once; under {@link #writeLock}. */
    private void closeOutput() throws IOException {
        if (outputClosed) {
            return;
        }
        outputClosed = true;
        engine.closeOutbound();
        netOut.clear();
        while (!engine.isOutboundDone() && netOut.remaining() >= packetSize) {
            if (engine.wrap(EMPTY, netOut).bytesProduced() == 0) {
                break;
            }
        }
        sendNetOut();
    }

    @Override
    protected void implClose() throws IOException {
        try {
            // A writer holding the lock is blocked or busy; closing the channel below ends it instead.
            if (session != null && writeLock.tryLock()) {
                Deadline deadline = Deadline.start(raw, CLOSE_NOTIFY_TIMEOUT, "tls-close " + peer);
                try {
                    closeOutput();
                } catch (IOException | RuntimeException e) {
                    // The peer may be gone already: closing is what matters.
                } finally {
                    deadline.close();
                    writeLock.unlock();
                }
            }
        } finally {
            raw.close();
        }
    }

    private static String describe(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }

    @Override
    public String toString() {
        return "TlsChannel[" + peer + (session == null ? "" : ", " + session) + "]";
    }
}
