package migration.cli;

import io.channel.tls.TlsCredentials;
import io.channel.tls.TlsParameters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The TLS options of {@code send} and {@code receive}, as a picocli mixin: CA certificates, this side's
 * certificate and key (PEM) or a PKCS#12 keystore, the expected server name and the allowed peer identities.
 * Without any of them the migration runs over plain TCP.
 */
final class TlsOptions {

    @Option(names = "--tls-ca", paramLabel = "FILE",
            description = "PEM file of CA certificates a peer's certificate must be signed by (repeatable).")
    private List<Path> ca = new ArrayList<>();

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "PEM file of this side's certificate chain (with --tls-key).")
    private Path certificate;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "PEM file of this side's private key: PKCS#8, or traditional RSA or EC, unencrypted.")
    private Path key;

    @Option(names = "--tls-keystore", paramLabel = "FILE",
            description = "PKCS#12 keystore with this side's key and certificate (instead of --tls-cert/--tls-key);"
                    + " its trusted entries are the CAs unless --tls-ca names them.")
    private Path keystore;

    @Option(names = "--tls-keystore-password-file", paramLabel = "FILE",
            description = "File whose first line is the keystore's password (never on the command line).")
    private Path passwordFile;

    @Option(names = "--tls-hostname", paramLabel = "NAME",
            description = "send: the name the destination's certificate must carry (default: the host of --to).")
    private String hostname;

    @Option(names = "--tls-allow", paramLabel = "DN",
            description = "Accept only peers with this certificate subject, such as CN=source,O=Example"
                    + " (repeatable; default: any the CA signed).")
    private List<String> allowed = new ArrayList<>();

    /**
     * {@return the TLS parameters asked for, or {@code null} for plain TCP}
     * @throws CommandFailure if the options do not fit together or a credential file is bad; the message names it
     */
    TlsParameters parameters() {
        boolean pem = certificate != null || key != null;
        boolean any = pem || keystore != null || !ca.isEmpty() || hostname != null || !allowed.isEmpty()
                || passwordFile != null;
        if (!any) {
            return null;
        }
        try {
            TlsCredentials credentials;
            if (keystore != null) {
                if (pem) {
                    throw new CommandFailure("give either --tls-keystore or --tls-cert with --tls-key, not both");
                }
                if (passwordFile == null) {
                    throw new CommandFailure("--tls-keystore needs --tls-keystore-password-file");
                }
                credentials = TlsCredentials.fromPkcs12(keystore, password(), ca);
            } else if (certificate != null && key != null) {
                credentials = TlsCredentials.fromPem(ca, certificate, key);
            } else {
                throw new CommandFailure("TLS needs this side's identity: --tls-cert with --tls-key, or"
                        + " --tls-keystore");
            }
            return TlsParameters.of(credentials).withHostname(hostname).withAllowedPeers(allowed);
        } catch (IOException | IllegalArgumentException e) {
            throw new CommandFailure("TLS: " + e.getMessage(), e);
        }
    }

    /**
     * {@return where the credentials come from, for {@code info}: the kind ({@code pem} or {@code pkcs12}) and
     * the files named, by option}
     */
    Map<String, Object> sources() {
        Map<String, Object> sources = new LinkedHashMap<>();
        sources.put("kind", keystore != null ? "pkcs12" : "pem");
        if (keystore != null) {
            sources.put("keystore-file", keystore.toString());
            sources.put("keystore-password-file", passwordFile == null ? null : passwordFile.toString());
        } else {
            sources.put("certificate-file", certificate == null ? null : certificate.toString());
            sources.put("key-file", key == null ? null : key.toString());
        }
        sources.put("ca-files", ca.stream().map(Path::toString).toList());
        return sources;
    }

    private char[] password() throws IOException {
        try {
            List<String> lines = Files.readAllLines(passwordFile, StandardCharsets.UTF_8);
            return (lines.isEmpty() ? "" : lines.getFirst()).toCharArray();
        } catch (IOException e) {
            throw new IOException("cannot read keystore password file '" + passwordFile + "': " + e.getMessage(), e);
        }
    }
}
