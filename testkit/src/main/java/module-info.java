/**
 * What the tests of several modules share, kept out of every shipped module: {@link testkit.JsonReader}, which
 * reads the JSON documents the library, the tool and the benchmark write, and {@link testkit.ToolRun} and
 * {@link testkit.RunningTool}, which run a tool ({@link java.util.spi.ToolProvider}: {@code multifd},
 * {@code multifd-bench}) in the test's process. Only tests depend on it; it is neither installed nor deployed.
 */
module testkit {
    exports testkit;
}
