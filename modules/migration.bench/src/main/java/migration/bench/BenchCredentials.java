package migration.bench;

import io.channel.tls.TlsCredentials;
import io.channel.tls.TlsParameters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import migration.authority.ThrowawayAuthority;

/**
 * Throwaway TLS credentials for the TLS rows of one benchmark run, as PEM files in a temporary directory of
 * their own: a CA certificate and, for each side, a certificate made out to the loopback names and its key.
 * The runner makes them once; each worker process (and each cold {@code multifd send/receive}) reads its side's
 * files, exactly as an operator's would be read. {@link #close()} deletes the directory.
 */
public final class BenchCredentials implements AutoCloseable {

    /** The names both certificates are made out to: the workers connect to the loopback address. */
    private static final List<String> LOOPBACK_NAMES = List.of("localhost", "127.0.0.1", "::1");
    private static final String CA_FILE = "ca.pem";

    private final Path directory;
    private boolean closed;

    private BenchCredentials(Path directory) {
        this.directory = directory;
    }

    /**
     * Makes a throwaway CA and one identity per side, and writes them to a new temporary directory.
     *
     * @return the credentials
     * @throws IOException if the directory or a file cannot be written
     */
    public static BenchCredentials create() throws IOException {
        Path directory = Files.createTempDirectory("multifd-bench-tls-");
        BenchCredentials credentials = new BenchCredentials(directory);
        try {
            ThrowawayAuthority ca = ThrowawayAuthority.create("multifd bench CA");
            ca.writeCertificate(directory.resolve(CA_FILE));
            for (WorkerSpec.Role role : WorkerSpec.Role.values()) {
                ca.issue("multifd bench " + role.label(), LOOPBACK_NAMES)
                        .writePem(certificate(directory, role), key(directory, role));
            }
            return credentials;
        } catch (IOException | RuntimeException e) {
            credentials.close();
            throw e;
        }
    }

    /** {@return the directory holding the files} */
    public Path directory() {
        return directory;
    }

    /**
     * Reads one side's credentials from a directory {@link #create()} wrote.
     *
     * @param directory the directory
     * @param role      the side
     * @return TLS parameters with mutual authentication, as a migration's defaults are
     * @throws IOException naming the file that cannot be read
     */
    public static TlsParameters parameters(Path directory, WorkerSpec.Role role) throws IOException {
        return TlsParameters.of(TlsCredentials.fromPem(List.of(directory.resolve(CA_FILE)),
                certificate(directory, role), key(directory, role)));
    }

    /**
     * {@return the {@code multifd send} or {@code receive} options that use one side's files}
     * @param role the side: {@link WorkerSpec.Role#SOURCE} for {@code send}
     */
    public List<String> toolOptions(WorkerSpec.Role role) {
        return List.of("--tls-ca", directory.resolve(CA_FILE).toString(),
                "--tls-cert", certificate(directory, role).toString(), "--tls-key", key(directory, role).toString());
    }

    private static Path certificate(Path directory, WorkerSpec.Role role) {
        return directory.resolve(role.label() + "-cert.pem");
    }

    private static Path key(Path directory, WorkerSpec.Role role) {
        return directory.resolve(role.label() + "-key.pem");
    }

    /** Deletes the directory and its files; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the benchmark's TLS credentials in " + directory, e);
        }
    }
}
