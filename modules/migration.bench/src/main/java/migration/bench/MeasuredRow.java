package migration.bench;

/**
 * A row of the report as a TLS row is compared with its plain twin ({@link BenchReport.TlsComparison}): a
 * steady-state migration or a cold one-shot run.
 */
public sealed interface MeasuredRow permits BenchResult, ColdResult {

    /** {@return what was measured} */
    RowConfiguration configuration();

    /** {@return throughput in GiB per second} */
    double gibPerSecond();

    /** {@return both sides' CPU seconds per GiB} */
    double cpuPerGibTotal();
}
