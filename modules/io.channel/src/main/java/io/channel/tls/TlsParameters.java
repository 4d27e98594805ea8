package io.channel.tls;

import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.security.auth.x500.X500Principal;

/**
 * How one side runs TLS: its {@link TlsCredentials}, whom it accepts, and how long a handshake may take.
 * Immutable; the {@code with*} methods return copies.
 *
 * <p>The defaults are the safe ones, as QEMU's: TLS 1.3 only; mutual authentication (a server requires a
 * client certificate signed by a trusted CA, and a client always verifies the server's); a client checks that
 * the server's certificate is made out to the host it connects to ({@link #withHostname(String)} names
 * another); any identity the CA signed is accepted unless {@link #withAllowedPeers(Collection)} lists the
 * allowed ones (QEMU's {@code tls-authz}: a client checks the server's during the handshake, a server's
 * application checks its clients' after it, with {@link #refusal}); a handshake that does not complete in 10
 * seconds fails.
 *
 * <p>Copies made with {@link #withHostname}, {@link #withClientCertificateRequired} and
 * {@link #withHandshakeTimeout} share the original's {@link SSLContext}, and with it its session caches: a
 * connection to a peer this side completed a handshake with in the last {@link #SESSION_LIFETIME} resumes that
 * session (RFC 8446 section 2.2), which skips both sides' certificate signatures and checks.
 *
 * <p>Cipher suites, in the order a server prefers them: {@code TLS_AES_128_GCM_SHA256} first (the fastest
 * with the CPU's AES and carry-less-multiply instructions, as Go's TLS also prefers it), then
 * {@code TLS_AES_256_GCM_SHA384} and {@code TLS_CHACHA20_POLY1305_SHA256}.
 */
public final class TlsParameters {

    /** The only protocol offered or accepted. */
    public static final String PROTOCOL = "TLSv1.3";
    /**
     * How long a session may be resumed (RFC 8446 section 2.2) by a later connection between the same two sides
     * with parameters of the same credentials: long enough for a migration's channels, which connect right after
     * its main channel, short enough that a resumption never stands in for a certificate check of another day.
     * A resumed handshake exchanges no certificates but still agrees on fresh keys with (EC)DHE
     * ({@code psk_dhe_ke}, the only mode the JDK offers), so each connection's keys stay its own and forward secret.
     */
    public static final Duration SESSION_LIFETIME = Duration.ofMinutes(1);
    /** How long a handshake may take unless told otherwise. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    /**
     * The cipher suites offered and accepted, in the order a server prefers them (the server's order decides):
     * AES-128-GCM first, the fastest where the CPU has AES and carry-less-multiply instructions (the JDK's fused
     * AES-GCM intrinsic), then AES-256-GCM (14 rounds instead of 10) and ChaCha20-Poly1305, slower than both on
     * such CPUs. TLS_AES_128_GCM_SHA256 is every TLS 1.3 implementation's (RFC 8446 section 9.1); of the others,
     * those this JDK supports are used ({@link #cipherSuites()}). {@link CipherSpeed} measures a suite's cipher.
     */
    public static final List<String> CIPHER_SUITES =
            List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    private final TlsCredentials credentials;
    private final String hostname;
    private final Set<X500Principal> allowedPeers;
    private final boolean clientCertificateRequired;
    private final Duration handshakeTimeout;
    /**
     * The context of these credentials and allowed peers, shared with every copy that differs only in what each
     * engine is told (hostname, client certificates, handshake timeout), so that its session caches serve them all.
     */
    private final SharedContext shared;

    private TlsParameters(TlsCredentials credentials, String hostname, Set<X500Principal> allowedPeers,
                          boolean clientCertificateRequired, Duration handshakeTimeout, SharedContext shared) {
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.hostname = hostname;
        this.allowedPeers = allowedPeers;
        this.clientCertificateRequired = clientCertificateRequired;
        this.handshakeTimeout = handshakeTimeout;
        this.shared = shared;
    }

    /**
     * {@return the defaults (see the type's description) with these credentials}
     * @param credentials this side's certificate, key and trusted CAs
     */
    public static TlsParameters of(TlsCredentials credentials) {
        return new TlsParameters(credentials, null, Set.of(), true, DEFAULT_HANDSHAKE_TIMEOUT,
                new SharedContext());
    }

    /** {@return this side's certificate, key and trusted CAs} */
    public TlsCredentials credentials() {
        return credentials;
    }

    /** {@return the name a client expects in the server's certificate, or {@code null} for the host it connects to} */
    public String hostname() {
        return hostname;
    }

    /** {@return the peer subjects accepted; empty means any certificate a trusted CA signed} */
    public Set<X500Principal> allowedPeers() {
        return allowedPeers;
    }

    /** {@return whether a server requires a certificate from its clients (mutual authentication)} */
    public boolean clientCertificateRequired() {
        return clientCertificateRequired;
    }

    /** {@return how long a handshake may take} */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /**
     * {@return a copy whose clients expect this name in the server's certificate (QEMU's {@code tls-hostname})}
     * @param name a DNS name or IP address, or {@code null} to expect the host connected to
     * @throws IllegalArgumentException if the name is blank
     */
    public TlsParameters withHostname(String name) {
        if (name != null && name.isBlank()) {
            throw new IllegalArgumentException("TLS hostname must not be blank");
        }
        return new TlsParameters(credentials, name, allowedPeers, clientCertificateRequired, handshakeTimeout,
                shared);
    }

    /**
     * {@return a copy that accepts only peers whose certificate subject is one of these (QEMU's
     * {@code tls-authz})} Names compare as X.500 names: {@code cn=source, o=Example} equals
     * {@code CN=source,O=Example}. A client refuses any other server during the handshake. A server does not
     * check its clients in the handshake: its application does after it, with {@link #refusal}, so that it can
     * tell a refused client why ({@link TlsChannel#server} says more).
     * @param identities distinguished names such as {@code CN=source,O=Example}; empty accepts any identity
     *                   a trusted CA signed
     * @throws IllegalArgumentException naming the entry that is not a distinguished name
     */
    public TlsParameters withAllowedPeers(Collection<String> identities) {
        Set<X500Principal> principals = new LinkedHashSet<>();
        for (String identity : identities) {
            try {
                principals.add(new X500Principal(identity));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("allowed TLS identity '" + identity + "' is not a distinguished"
                        + " name (expected something like CN=source,O=Example): " + e.getMessage(), e);
            }
        }
        // A new context: its trust manager checks the allowed identities, and no session it caches may outlive them.
        return new TlsParameters(credentials, hostname, Collections.unmodifiableSet(principals),
                clientCertificateRequired, handshakeTimeout, new SharedContext());
    }

    /**
     * {@return a copy whose servers require client certificates or not} Without, any client may connect
     * and be served; only a closed network should run so.
     * @param value whether a server requires a client certificate
     */
    public TlsParameters withClientCertificateRequired(boolean value) {
        return new TlsParameters(credentials, hostname, allowedPeers, value, handshakeTimeout, shared);
    }

    /**
     * {@return a copy with another handshake timeout}
     * @param timeout how long a handshake may take, positive
     * @throws IllegalArgumentException if the timeout is not positive
     */
    public TlsParameters withHandshakeTimeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("TLS handshake timeout must be positive: " + timeout);
        }
        return new TlsParameters(credentials, hostname, allowedPeers, clientCertificateRequired, timeout, shared);
    }

    /**
     * {@return why a peer with this identity is not allowed, naming the allowed identities, or {@code null} if it
     * is allowed ({@link #allowedPeers()} is empty, or lists it)} What a server's application calls after the
     * handshake, with {@link TlsChannel#session()}'s {@link TlsSessionInfo#peerIdentity() peerIdentity()}.
     * @param identity the subject of the peer's certificate, or {@code null} when it sent none (a client of a
     *                 server that does not require client certificates)
     */
    public String refusal(X500Principal identity) {
        PeerVerifier.Refusal refusal = PeerVerifier.notAllowed(identity, allowedPeers);
        return refusal == null ? null : refusal.getMessage();
    }

    /**
     * {@return the cipher suites offered and accepted, in the order a server prefers them: those of the type's
     * description that this JDK supports}
     */
    public List<String> cipherSuites() {
        List<String> supported = Arrays.asList(context().getSupportedSSLParameters().getCipherSuites());
        return CIPHER_SUITES.stream().filter(supported::contains).toList();
    }

    /** {@return a few lines for people: identity, trust, checks, timeout} */
    public String describe() {
        return PROTOCOL + ", " + credentials.describe()
                + "\npeer checks: " + (clientCertificateRequired ? "mutual authentication"
                        : "servers do not ask clients for certificates")
                + ", server name " + (hostname == null ? "= host connected to" : "'" + hostname + "'")
                + ", allowed identities " + (allowedPeers.isEmpty() ? "any signed by a trusted CA"
                        : allowedPeers.stream().map(p -> "'" + p.getName() + "'").collect(Collectors.joining(", ")))
                + "\nhandshake timeout " + handshakeTimeout.toMillis() + " ms";
    }

    @Override
    public String toString() {
        return "TlsParameters[" + describe().replace('\n', ';') + "]";
    }

    /**
     * Makes an engine for one connection.
     *
     * @param client whether this side is the client
     * @param host   for a client, the host connected to (the expected server name unless {@link #hostname()}
     *               names one); ignored for a server
     * @param port   for a client, the port connected to
     */
    SSLEngine engine(boolean client, String host, int port) {
        SSLEngine engine;
        if (client) {
            engine = context().createSSLEngine(hostname != null ? hostname : host, port);
        } else {
            engine = context().createSSLEngine();
        }
        engine.setUseClientMode(client);
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(new String[] {PROTOCOL});
        List<String> supported = Arrays.asList(engine.getSupportedCipherSuites());
        parameters.setCipherSuites(CIPHER_SUITES.stream().filter(supported::contains).toArray(String[]::new));
        parameters.setUseCipherSuitesOrder(true);
        if (client) {
            // The JDK's own RFC 2818 name check as well as ours (PeerVerifier), which says why it failed.
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        } else {
            parameters.setNeedClientAuth(clientCertificateRequired);
        }
        engine.setSSLParameters(parameters);
        return engine;
    }

    private SSLContext context() {
        SSLContext built = shared.context;
        if (built == null) {
            synchronized (shared) {
                built = shared.context;
                if (built == null) {
                    built = buildContext();
                    shared.context = built;
                }
            }
        }
        return built;
    }

    /**
     * An {@link SSLContext} built on first use. A context is thread-safe; its session caches are what lets a
     * connection resume the session of an earlier one to the same peer.
     */
    private static final class SharedContext {
        volatile SSLContext context;
    }

    private SSLContext buildContext() {
        try {
            TrustManagerFactory trust = TrustManagerFactory.getInstance("PKIX");
            trust.init(credentials.trustStore());
            X509ExtendedTrustManager jdk = Arrays.stream(trust.getTrustManagers())
                    .filter(X509ExtendedTrustManager.class::isInstance).map(X509ExtendedTrustManager.class::cast)
                    .findFirst().orElseThrow(() -> new IllegalStateException("no X.509 trust manager in the JDK"));
            TrustManager verifier = new PeerVerifier(jdk, credentials.trustedCertificates(), allowedPeers);
            SSLContext built = SSLContext.getInstance(PROTOCOL);
            KeyManager keys = new SingleIdentityKeyManager(credentials.certificateChain(), credentials.privateKey());
            built.init(new KeyManager[] {keys}, new TrustManager[] {verifier}, null);
            // The server's session tickets (RFC 8446 section 4.6.1: ticket_lifetime) and the client's cache of them.
            built.getServerSessionContext().setSessionTimeout((int) SESSION_LIFETIME.toSeconds());
            built.getClientSessionContext().setSessionTimeout((int) SESSION_LIFETIME.toSeconds());
            return built;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS with " + credentials.describe() + ": " + e.getMessage(),
                    e);
        }
    }
}
