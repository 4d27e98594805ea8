package migration.bench;

/** What one row of the report measured: a steady-state {@link Configuration} or a cold {@link ColdConfiguration}. */
public sealed interface RowConfiguration permits Configuration, ColdConfiguration {

    /** {@return what moved the bytes} */
    Mode mode();

    /** {@return the channel count} */
    int channels();

    /** {@return the state of the destination memory or file} */
    DestinationKind destination();

    /** {@return a short description: mode, channels, destination} */
    String describe();
}
