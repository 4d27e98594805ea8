/**
 * The multifd benchmark: {@code multifd bench}, which measures migrations over loopback against their ceilings. A
 * program, not a library: it exports nothing, and it uses only the {@code migration} library's public API (and
 * {@code io.channel}'s, which that API exposes), plus the documented system property
 * {@code migration.destination.prefault} for its {@code --prefault off} rows.
 *
 * <p>It provides the tool {@code multifd-bench} ({@link java.util.spi.ToolProvider}): the {@code multifd} tool
 * (module {@code migration.cli}, which knows nothing of this module) runs it for {@code multifd bench} where it is
 * installed, as in the runtime image. Its child processes are the tool's own commands for the cold rows
 * ({@code multifd receive}, {@code multifd send}, and {@code multifd bench cold-ceiling} for their ceiling, through
 * the same launcher), and this module's main class {@link migration.bench.BenchTool} for the steady-state and live
 * workers. The image build's AOT cache is recorded by {@code multifd bench aot-training}.
 */
module migration.bench {
    requires migration;

    // demo --tls (and the benchmark's TLS rows): credentials from a throwaway certificate authority.
    requires migration.authority;

    // picocli reads the annotated commands reflectively.
    requires info.picocli;

    // The steady-state rows report the JIT's compilation time inside each measured window; the writers of the live
    // rows count their threads' CPU time.
    requires java.management;

    opens migration.bench to info.picocli;

    // The AOT training runs the tool's commands in this process, through its ToolProvider.
    uses java.util.spi.ToolProvider;

    provides java.util.spi.ToolProvider with migration.bench.BenchTool;
}
