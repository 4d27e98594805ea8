package migration.bench;

import java.util.Objects;

/**
 * One thing to measure.
 *
 * @param mode        what moves the bytes
 * @param channels    multifd channels, or streams for the ceiling, 1 to 255
 * @param destination the state of the destination memory
 * @param hugePages   whether the destination memory asks for transparent huge pages
 * @param prefault    whether a migration destination populates fresh memory ahead of its receivers
 *                    ({@code MADV_POPULATE_WRITE}); the ceiling never does
 * @param verify      whether a migration checks the end-to-end digests (the ceiling never does)
 */
public record Configuration(Mode mode, int channels, DestinationKind destination, boolean hugePages,
                            boolean prefault, boolean verify) implements RowConfiguration {

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException if channels is out of range
     */
    public Configuration {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(destination, "destination");
        if (channels < 1 || channels > 255) {
            throw new IllegalArgumentException("channels must be 1 to 255: " + channels);
        }
    }

    /** {@return a short description, for progress lines and errors} */
    @Override
    public String describe() {
        return mode.label() + ", " + channels + (mode == Mode.CEILING ? " stream" : " channel")
                + (channels == 1 ? "" : "s") + ", " + destination.label()
                + (hugePages ? ", huge pages" : "") + (prefaults() ? ", prefault" : "")
                + (verify || mode == Mode.CEILING ? "" : ", no verify");
    }

    /** {@return whether the destination populates memory ahead of its receivers: a fresh migration destination} */
    public boolean prefaults() {
        return prefault && mode != Mode.CEILING && destination == DestinationKind.FRESH;
    }
}
