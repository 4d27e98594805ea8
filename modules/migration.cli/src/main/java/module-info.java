/**
 * The {@code multifd} command-line tool ({@code demo}, {@code send}, {@code receive}, {@code info}), built on the
 * {@code migration} library's public API. Its entry point is {@link migration.cli.Main}; nothing here is API, and no
 * library module depends on it. {@code multifd bench} runs the benchmark (module {@code migration.bench}) where it
 * is installed, found as the {@link java.util.spi.ToolProvider} {@code multifd-bench}; the tool does not depend on
 * it.
 */
module migration.cli {
    requires migration;

    // demo --tls (and the benchmark's TLS rows): credentials from a throwaway certificate authority.
    requires migration.authority;

    // picocli reads the annotated commands reflectively.
    requires info.picocli;

    // multifd receive --size compares the size with the machine's memory and swap (com.sun.management).
    requires jdk.management;

    opens migration.cli to info.picocli;

    // multifd bench: the benchmark, where it is installed.
    uses java.util.spi.ToolProvider;

    // The tool's commands, run inside another Java program (the benchmark's AOT training does).
    provides java.util.spi.ToolProvider with migration.cli.MultifdTool;
}
