package migration.bench;

/** What moves the bytes in one benchmark configuration. */
public enum Mode {
    /**
     * The path users take, cold: {@code multifd receive --into} and {@code multifd send --from} as fresh
     * processes of the tool with its defaults, no warm-up, and over a pre-touched file also with
     * {@code receive --in-place} (measured by {@link ColdRunner}, reported on its own).
     */
    COLD("cold", null, false),
    /**
     * The cold rows' ceiling: the same file into the same destination file by two fresh processes of the tool
     * started the same way, over plain TCP streams with no protocol ({@link ColdCeiling}, the hidden
     * {@code multifd cold-ceiling send|receive}); each {@link #COLD} and {@link #TLS_COLD} row is compared with it.
     */
    COLD_CEILING("cold-ceiling", null, false),
    /**
     * {@link #COLD} under TLS 1.3 on every channel: both processes given the run's throwaway credentials
     * ({@link BenchCredentials#toolOptions}), as an operator gives them.
     */
    TLS_COLD("tls-cold", null, false),
    /** Plain blocking {@code java.nio} socket streams, a sender and a receiver, no protocol: the loopback ceiling. */
    CEILING("ceiling", null, false),
    /** Migration with the portable copying provider ({@code java.nio}). */
    COPY_PROVIDER("copy-provider", "copy", false),
    /** Migration with the Linux provider, writing by copy. */
    LINUX_COPY("linux-copy", "linux", false),
    /** Migration with the Linux provider and {@code MSG_ZEROCOPY} required. */
    LINUX_ZERO_COPY("linux-zero-copy", "linux", true),
    /**
     * {@link #COPY_PROVIDER} under TLS 1.3 on every channel, with throwaway credentials made for the run
     * ({@link BenchCredentials}); TLS rules zero-copy out.
     */
    TLS_COPY_PROVIDER("tls-copy-provider", "copy", false),
    /** {@link #LINUX_COPY} under TLS 1.3 on every channel, as {@link #TLS_COPY_PROVIDER}. */
    TLS_LINUX_COPY("tls-linux-copy", "linux", false),
    /**
     * Live migrations with writers dirtying the memory, per dirty tracker and dirty rate (measured by
     * {@link LiveRunner}, on their own: {@code multifd bench --live}).
     */
    LIVE("live", null, false);

    private final String label;
    private final String provider;
    private final boolean zeroCopy;

    Mode(String label, String provider, boolean zeroCopy) {
        this.label = label;
        this.provider = provider;
        this.zeroCopy = zeroCopy;
    }

    /** {@return the name used in the table, the JSON and on the command line} */
    public String label() {
        return label;
    }

    /**
     * {@return whether fresh processes of the tool measure it ({@link ColdRunner}), not a pair of workers: the
     * cold modes and their ceiling}
     */
    public boolean cold() {
        return this == COLD || this == COLD_CEILING || this == TLS_COLD;
    }

    /** {@return the channel provider a migration uses, or {@code null} for the ceiling} */
    public String provider() {
        return provider;
    }

    /** {@return whether the source writes pages with zero-copy} */
    public boolean zeroCopy() {
        return zeroCopy;
    }

    /** {@return whether every channel runs TLS} */
    public boolean tls() {
        return withoutTls() != null;
    }

    /** {@return the plain mode a TLS mode is compared with (same provider, no TLS), or {@code null} for a plain one} */
    public Mode withoutTls() {
        return switch (this) {
            case TLS_COPY_PROVIDER -> COPY_PROVIDER;
            case TLS_LINUX_COPY -> LINUX_COPY;
            case TLS_COLD -> COLD;
            default -> null;
        };
    }

    /**
     * {@return the mode with this label}
     * @param label as in {@link #label()}
     * @throws IllegalArgumentException naming the labels accepted
     */
    public static Mode ofLabel(String label) {
        for (Mode mode : values()) {
            if (mode.label.equals(label)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + label + "'; expected one of " + labels());
    }

    /** {@return every mode's label, comma-separated, for messages} */
    static String labels() {
        return java.util.Arrays.stream(values()).map(Mode::label).collect(java.util.stream.Collectors.joining(", "));
    }
}
