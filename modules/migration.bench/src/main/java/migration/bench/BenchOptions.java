package migration.bench;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What a benchmark run measures.
 *
 * @param size         bytes moved per configuration
 * @param channels     channel (and ceiling stream) counts
 * @param modes        the modes, the ceiling among them
 * @param destinations the kinds of destination memory
 * @param hugePages    whether destination memory asks for transparent huge pages
 * @param prefault     whether migration destinations populate fresh memory ahead of the receivers
 * @param verify       whether migrations check the end-to-end digests
 * @param warmUp       bytes each configuration moves, unmeasured, before it measures
 * @param repeat       measured transfers per configuration, after its warm-up; the report gives their medians
 * @param json         whether to print the JSON document instead of the Markdown table
 * @param output       the results file (Markdown; the JSON goes next to it with {@code .json}), or
 *                     {@code null} for {@code bench-results/<timestamp>.md}
 * @param coldDirectory where the cold mode's source and destination files go, or {@code null} for
 *                     {@code /dev/shm} (tmpfs) where it exists, else the temporary directory
 */
public record BenchOptions(long size, List<Integer> channels, List<Mode> modes, List<DestinationKind> destinations,
                           boolean hugePages, boolean prefault, boolean verify, long warmUp, int repeat, boolean json,
                           Path output, Path coldDirectory) {

    /** Checks and copies. */
    public BenchOptions {
        channels = List.copyOf(channels);
        modes = List.copyOf(modes);
        destinations = List.copyOf(destinations);
        if (coldDirectory == null) {
            coldDirectory = ColdRunner.defaultDirectory();
        }
        if (channels.isEmpty() || modes.isEmpty() || destinations.isEmpty()) {
            throw new IllegalArgumentException("nothing to measure: channels, modes and destinations must not be empty");
        }
        if (repeat < 1) {
            throw new IllegalArgumentException("repeat must be at least 1, but is " + repeat);
        }
    }

    /** {@return whether the cold one-shot path is measured, plain or under TLS, or its ceiling} */
    public boolean cold() {
        return modes.stream().anyMatch(Mode::cold);
    }

    /**
     * {@return the cold one-shot configurations, grouped by destination file (a pre-touched one also written
     * {@code --in-place}), then by channels: the cold ceiling first, then the plain row, then its TLS twin}
     */
    public List<ColdConfiguration> coldConfigurations() {
        List<ColdConfiguration> list = new java.util.ArrayList<>();
        List<Mode> cold = Stream.of(Mode.COLD_CEILING, Mode.COLD, Mode.TLS_COLD).filter(modes::contains).toList();
        for (DestinationKind destination : destinations) {
            // --in-place into an absent file falls back to a temporary file: the fresh row again.
            List<Boolean> writes = destination == DestinationKind.PRE_TOUCHED ? List.of(false, true) : List.of(false);
            for (boolean inPlace : writes) {
                for (int n : channels) {
                    for (Mode mode : cold) {
                        list.add(new ColdConfiguration(mode, n, destination, inPlace));
                    }
                }
            }
        }
        return list;
    }

    /**
     * {@return the steady-state configurations, grouped by destination: the ceilings first, then each mode by
     * channels}
     */
    public List<Configuration> configurations() {
        List<Configuration> list = new java.util.ArrayList<>();
        for (DestinationKind destination : destinations) {
            for (Mode mode : modes) {
                if (mode.cold() || mode == Mode.LIVE) {
                    continue;
                }
                for (int n : channels) {
                    list.add(new Configuration(mode, n, destination, hugePages, prefault, verify));
                }
            }
        }
        return list;
    }
}
