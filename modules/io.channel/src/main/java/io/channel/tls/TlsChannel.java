package io.channel.tls;

import io.channel.ChannelStatistics;
import io.channel.Feature;
import io.channel.FlushResult;
import io.channel.IOChannel;
import io.channel.ShutdownDirection;
import java.io.EOFException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;

/**
 * TLS 1.3 (RFC 8446) over any connected {@link IOChannel}, through the JDK's own TLS ({@link SSLEngine}): plain
 * TLS, so the peer may be any TLS 1.3 implementation ({@code openssl s_client} and {@code s_server} included).
 *
 * <p>{@link #client(IOChannel, String, TlsParameters)} and {@link #server(IOChannel, TlsParameters)} take
 * ownership of a freshly connected channel, run the whole handshake before they return (bounded by
 * {@link TlsParameters#handshakeTimeout()}), and return a channel on which every byte written is encrypted and
 * every byte read was authenticated; or they close the channel and throw a {@link TlsHandshakeException} that
 * says why. A client has verified the server's certificate, name and identity when {@code client()} returns. A
 * server has verified the client's certificate (when it requires one) when {@code server()} returns; whether that
 * identity is among {@link TlsParameters#allowedPeers()} is its application's decision, made after the handshake
 * ({@link TlsParameters#refusal}), so that the application can tell the client why in its own protocol: a TLS
 * alert carries no reason.
 *
 * <p>In TLS 1.3 a client's side of the handshake is complete before the server has checked the client's
 * certificate (RFC 8446 section 4.4.2.4), so a client whose certificate the server refuses learns it from its
 * first read: a {@link TlsHandshakeException} with {@link TlsHandshakeException.Reason#REFUSED_BY_PEER} that
 * says what the server's alert means.
 *
 * <p>The {@link IOChannel} contract holds: {@code writev} encrypts as much as fits in one batch of records
 * (about 256 KiB) and returns the number of plaintext bytes sent; {@code readv} returns what is decrypted
 * from the records already received, blocking only when there is none. Records are decrypted straight into the
 * caller's segments when they fit. {@link io.channel.WriteFlag#ZERO_COPY} is not supported ({@link #features()} lacks
 * {@link Feature#WRITE_ZERO_COPY}): every byte is encrypted into this channel's own buffer before it is sent.
 * One thread may write while another reads. {@link #close()} sends a {@code close_notify} alert when no write
 * is in progress, then closes the underlying channel; a reader that meets the end of the stream without the
 * peer's {@code close_notify} gets an {@link EOFException} (the stream may have been cut short).
 * A TLS 1.3 server sends session tickets after the handshake; a client that closes without having read them closes
 * a socket with unread bytes, which the kernel answers with a reset that drops whatever it had not sent yet
 * (RFC 1122 4.2.2.13). A writer therefore closes only after its peer confirmed receipt, as every protocol that
 * needs its last bytes delivered must.
 *
 * @see TlsParameters
 */
public final class TlsChannel extends IOChannel {

    /** How long {@link #close()} may spend sending {@code close_notify} to a peer that does not read. */
    private static final Duration CLOSE_NOTIFY_TIMEOUT = Duration.ofSeconds(1);

    private final IOChannel raw;
    private final TlsRecords records;
    private final boolean client;
    private final Set<Feature> features;
    private final TlsSessionInfo session;

    private TlsChannel(TlsRecords records, boolean client, TlsSessionInfo session) {
        this.raw = records.raw;
        this.records = records;
        this.client = client;
        this.features = raw.features().contains(Feature.SHUTDOWN) ? Set.of(Feature.SHUTDOWN) : Set.of();
        this.session = session;
    }

    /**
     * Runs the client side of the handshake on a connected channel.
     *
     * @param raw        the connected channel; this call owns it from now on and closes it on failure
     * @param host       the host name or address the channel was connected to: the name the server's
     *                   certificate must carry unless {@link TlsParameters#hostname()} names another
     * @param parameters credentials and checks
     * @return the channel, with the server authenticated (and this side too, unless the server does not ask for
     *         client certificates; a server that refuses this side's certificate says so on the first read)
     * @throws TlsHandshakeException if the handshake failed or was refused; {@code raw} is then closed
     */
    public static TlsChannel client(IOChannel raw, String host, TlsParameters parameters)
            throws TlsHandshakeException {
        SSLEngine engine = parameters.engine(true, host, raw.remoteAddress().getPort());
        TlsRecords records = new TlsRecords(raw, engine, "server " + describe(raw.remoteAddress()));
        return new TlsChannel(records, true, TlsHandshake.run(records, parameters.handshakeTimeout(), true));
    }

    /**
     * Runs the server side of the handshake on an accepted channel. The client's identity is not checked
     * against {@link TlsParameters#allowedPeers()} here: see the type's description.
     *
     * @param raw        the accepted channel; this call owns it from now on and closes it on failure
     * @param parameters credentials and checks
     * @return the channel, with the client's certificate verified (unless client certificates are not required)
     * @throws TlsHandshakeException if the handshake failed; {@code raw} is then closed
     */
    public static TlsChannel server(IOChannel raw, TlsParameters parameters) throws TlsHandshakeException {
        SSLEngine engine = parameters.engine(false, null, 0);
        TlsRecords records = new TlsRecords(raw, engine, "client " + describe(raw.remoteAddress()));
        return new TlsChannel(records, false, TlsHandshake.run(records, parameters.handshakeTimeout(), false));
    }

    /**
     * Tells whether the first bytes a plain-TCP peer received look like the start of a TLS handshake, so that
     * a server without TLS can say "the peer speaks TLS" instead of "bad magic".
     *
     * @param prefix the first bytes received (at least two are needed for a yes)
     * @return whether they are a TLS handshake record header
     */
    public static boolean looksLikeTls(MemorySegment prefix) {
        return prefix.byteSize() >= 2 && prefix.get(ValueLayout.JAVA_BYTE, 0) == TlsHandshake.HANDSHAKE_RECORD
                && prefix.get(ValueLayout.JAVA_BYTE, 1) == TlsHandshake.RECORD_MAJOR_VERSION;
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
        return new ChannelStatistics(records.bytesWritten(), records.bytesRead(), 0, 0, 0, 0, 0);
    }

    @Override
    protected long implWritev(MemorySegment[] iov, int offset, int length, boolean zeroCopy) throws IOException {
        return records.write(iov, offset, length);
    }

    @Override
    protected long implReadv(MemorySegment[] iov, int offset, int length) throws IOException {
        try {
            return records.read(iov, offset, length);
        } catch (SSLException e) {
            throw records.readFailure(e, client);
        }
    }

    @Override
    protected FlushResult implFlush() {
        return FlushResult.NOTHING_PENDING;
    }

    @Override
    protected void implShutdown(ShutdownDirection direction) throws IOException {
        records.shutdown(direction);
    }

    @Override
    protected void implClose() throws IOException {
        try {
            // A writer holding the lock is blocked or busy; closing the channel below ends it instead.
            if (records.writeLock.tryLock()) {
                Deadline deadline = Deadline.start(raw, CLOSE_NOTIFY_TIMEOUT, "tls-close " + records.peer);
                try {
                    records.closeOutput();
                } catch (IOException | RuntimeException e) {
                    // The peer may be gone already: closing is what matters.
                } finally {
                    deadline.close();
                    records.writeLock.unlock();
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
        return "TlsChannel[" + records.peer + ", " + session + "]";
    }
}
