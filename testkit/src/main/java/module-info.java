/**
 * What the tests of several modules share, kept out of every shipped module: {@link testkit.JsonReader}, which
 * reads the JSON documents the library, the tool and the benchmark write, {@link testkit.RecordingLogger}, which
 * records what the library logs, {@link testkit.ToolRun} and {@link testkit.RunningTool}, which run a tool
 * ({@link java.util.spi.ToolProvider}: {@code multifd}, {@code multifd-bench}) in the test's process,
 * {@link testkit.Tier}, the tags of the slow tiers, and {@link testkit.SkipReasons}, which prints why a test was
 * skipped; it also hands the TLS tests the throwaway certificate authority of module {@code migration.authority}.
 * Only tests depend on it; it is neither installed nor deployed, and of the project's modules it needs only that
 * authority, which needs only the JDK (the modules' own tests use the kit).
 */
module testkit {
    // The TLS tests' credentials.
    requires transitive migration.authority;

    // Static: every module's tests bring JUnit, and Surefire the launcher, on the class path, where testkit is too;
    // on a module path testkit must still resolve without them.
    requires static org.junit.jupiter.api;
    requires static org.junit.platform.launcher;

    exports testkit;

    provides org.junit.platform.launcher.TestExecutionListener with testkit.SkipReasons;
}
