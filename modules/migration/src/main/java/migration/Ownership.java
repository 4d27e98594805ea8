package migration;

/**
 * Which side may run the application on the migrated memory once a migration has ended, as this side knows it.
 * The switchover hands the memory over in two steps (see {@code PROTOCOL.md}, "Switchover and ownership"): the
 * destination answers COMPLETE with RESULT, and only a source that read a RESULT that said yes sends COMMIT, after
 * which it never resumes. A destination activates only on COMMIT. So at most one side ever owns the memory; a
 * connection lost at the last step can leave the destination unsure, never both sides running.
 */
public enum Ownership {
    /**
     * The source owns the memory: the migration has not switched over, or it failed before the source committed
     * (a live source then ran its resume hook). The destination's memory must not be used.
     */
    SOURCE,
    /**
     * The destination owns the memory: the source committed (it will not resume) and, at the destination, the
     * COMMIT arrived. The source's memory must not be written as the application's any more.
     */
    DESTINATION,
    /**
     * Destination only: it answered with a RESULT that said yes, then lost the source before COMMIT arrived
     * (a timeout or a connection reset, which may have swallowed the COMMIT). Its memory is complete and, if
     * asked for, verified; whether the source committed is known only at the source: use this memory if and only
     * if the source reports {@link #DESTINATION}. The source never reports this value.
     */
    UNKNOWN;

    /** {@return the name used in JSON: {@code source}, {@code destination}, {@code unknown}} */
    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
