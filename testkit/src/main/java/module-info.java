/**
 * What the tests of several modules share, kept out of every shipped module: {@link testkit.JsonReader}, which
 * reads the JSON documents the library and the tool write, and {@link testkit.tls.ThrowawayAuthority}, which makes
 * certificates for TLS tests. Only tests depend on it; it is neither installed nor deployed, and it depends on no
 * module of the project (the modules' own tests use it).
 */
module testkit {
    exports testkit;
    exports testkit.tls;
}
