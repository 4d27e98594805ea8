package migration.bench;

import java.util.Objects;

/**
 * One cold one-shot thing to measure: a {@code multifd send --channels N} into a {@code multifd receive --into}
 * file, both fresh processes.
 *
 * @param mode        {@link Mode#COLD}, {@link Mode#TLS_COLD} for TLS 1.3 on every channel, or
 *                    {@link Mode#COLD_CEILING} for the same file moved with no protocol ({@link ColdCeiling})
 * @param channels    the sender's {@code --channels}, 1 to 255
 * @param destination whether the {@code --into} file is absent (fresh) or exists with every page written
 * @param inPlace     whether the receiver is given {@code --in-place}: it then writes the existing file's own
 *                    pages instead of a temporary file renamed onto it. Only over a pre-touched file: into an
 *                    absent one {@code --in-place} falls back to a temporary file, the fresh row again.
 */
public record ColdConfiguration(Mode mode, int channels, DestinationKind destination, boolean inPlace)
        implements RowConfiguration {

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException if the mode is not a cold one, channels is out of range, or in-place is
     *                                  asked into a fresh file
     */
    public ColdConfiguration {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(destination, "destination");
        if (!mode.cold()) {
            throw new IllegalArgumentException("not a cold mode: " + mode.label());
        }
        if (channels < 1 || channels > 255) {
            throw new IllegalArgumentException("channels must be 1 to 255: " + channels);
        }
        if (inPlace && destination != DestinationKind.PRE_TOUCHED) {
            throw new IllegalArgumentException("--in-place needs an existing (pre-touched) destination file");
        }
    }

    /** {@return whether every channel runs TLS} */
    public boolean tls() {
        return mode.tls();
    }

    /** {@return the same run without TLS} */
    public ColdConfiguration withoutTls() {
        return tls() ? new ColdConfiguration(mode.withoutTls(), channels, destination, inPlace) : this;
    }

    /** {@return the destination file as the table names it: its kind, and {@code --in-place} where given} */
    public String destinationLabel() {
        return destination.label() + (inPlace ? ", --in-place" : "");
    }

    /** {@return a short description, for progress lines and comparisons} */
    @Override
    public String describe() {
        return mode.label() + ", " + channels + " channel" + (channels == 1 ? "" : "s") + ", " + destinationLabel();
    }
}
