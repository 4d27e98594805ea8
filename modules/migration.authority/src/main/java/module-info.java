/**
 * A throwaway certificate authority: an in-memory CA that makes TLS credentials for demos and benchmarks
 * ({@code multifd demo --tls}, {@code multifd bench} TLS rows), so that TLS runs with nothing to set up. Not for
 * production: its keys live only in memory (or in the files a caller asks for). No library module requires it; the
 * library's TLS takes real credentials ({@link io.channel.tls.TlsCredentials}).
 */
module migration.authority {
    requires io.channel;

    exports migration.authority;
}
