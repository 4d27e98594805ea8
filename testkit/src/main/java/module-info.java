/**
 * What the tests of several modules share, kept out of every shipped module: {@link testkit.JsonReader}, which
 * reads the JSON documents the library and the tool write, and {@link testkit.RecordingLogger}, which records what
 * the library logs. Only tests depend on it; it is neither installed nor deployed.
 */
module testkit {
    exports testkit;
}
