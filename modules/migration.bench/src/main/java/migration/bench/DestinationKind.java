package migration.bench;

/** The state of the destination memory when the transfer starts. */
public enum DestinationKind {
    /** Never touched, as a real receiver's memory is: every page faults and is zeroed on its first write. */
    FRESH("fresh"),
    /** Written once before the transfer: no faults during it. */
    PRE_TOUCHED("pre-touched");

    private final String label;

    DestinationKind(String label) {
        this.label = label;
    }

    /** {@return the name used in the table and the JSON} */
    public String label() {
        return label;
    }

    /**
     * {@return the kind with this label}
     * @param label as in {@link #label()}
     */
    public static DestinationKind ofLabel(String label) {
        for (DestinationKind kind : values()) {
            if (kind.label.equals(label)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown destination '" + label + "'; expected fresh or pre-touched");
    }
}
