/**
 * A throwaway certificate authority: an in-memory CA that makes TLS credentials for demos, benchmarks and tests
 * ({@code multifd demo --tls}, {@code multifd bench} TLS rows), so that TLS runs with nothing to set up. Not for
 * production: its keys live only in memory (or in the files a caller asks for). It needs nothing but the JDK, so
 * that the test kit, below every module's tests, can use it too; no library module requires it.
 */
module migration.authority {
    exports migration.authority;
}
