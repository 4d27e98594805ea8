/**
 * TLS 1.3 for any {@link io.channel.IOChannel}, through the JDK's own TLS ({@code javax.net.ssl.SSLEngine}):
 * {@link io.channel.tls.TlsChannel} runs a standard handshake and encrypts the data, so the peer may be any TLS 1.3
 * implementation; {@link io.channel.tls.TlsParameters} says whom to trust and accept, and
 * {@link io.channel.tls.TlsCredentials} loads certificates and keys from PEM files or PKCS#12 keystores.
 *
 * <p>This package needs nothing outside {@code java.base}.
 */
package io.channel.tls;
