/**
 * TLS 1.3 for any {@link io.channel.IOChannel}, through the JDK's own TLS ({@code javax.net.ssl.SSLEngine}):
 * {@link io.channel.tls.TlsChannel} runs the handshake and encrypts the data, {@link io.channel.tls.TlsParameters}
 * says whom to trust and accept, and {@link io.channel.tls.TlsCredentials} loads certificates and keys from PEM
 * files or PKCS#12 keystores.
 *
 * <p>This package needs nothing outside {@code java.base}.
 */
package io.channel.tls;
