package migration.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What one child process of the benchmark does, passed to it as the hidden option
 * {@code bench --worker role=…,mode=…,…}.
 *
 * @param role          which side
 * @param configuration the configuration measured
 * @param size          bytes to move
 * @param warmUpPorts   the destination's ports for the warm-up passes, in order (source roles); empty
 *                      otherwise
 * @param warmUp        bytes of the unmeasured warm-up, all passes together; 0 for none
 * @param credentials   the directory of the run's {@link BenchCredentials} for a TLS mode, or {@code null}
 */
public record WorkerSpec(Role role, Configuration configuration, long size, List<Integer> warmUpPorts,
                         long warmUp, Path credentials) {

    /** The side a worker plays. */
    public enum Role {
        /** Sends the memory. */
        SOURCE("source"),
        /** Receives into its memory. */
        DESTINATION("destination");

        private final String label;

        Role(String label) {
            this.label = label;
        }

        /** {@return the name on the command line} */
        public String label() {
            return label;
        }
    }

    /**
     * Checks the components.
     *
     * @throws IllegalArgumentException if a TLS mode has no credentials, or their path has a comma (the
     *                                  argument's separator)
     */
    public WorkerSpec {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(configuration, "configuration");
        warmUpPorts = List.copyOf(warmUpPorts);
        if (configuration.mode().tls() && credentials == null) {
            throw new IllegalArgumentException("mode " + configuration.mode().label() + " needs TLS credentials");
        }
        if (credentials != null && credentials.toString().contains(",")) {
            throw new IllegalArgumentException("the TLS credentials directory has a comma in its path: " + credentials);
        }
    }

    /**
     * A spec without TLS credentials, for a plain mode.
     *
     * @param role          which side
     * @param configuration the configuration measured
     * @param size          bytes to move
     * @param warmUpPorts   the destination's warm-up ports (source roles)
     * @param warmUp        bytes of the unmeasured warm-up
     */
    public WorkerSpec(Role role, Configuration configuration, long size, List<Integer> warmUpPorts, long warmUp) {
        this(role, configuration, size, warmUpPorts, warmUp, null);
    }

    /** {@return the option value} */
    public String toArgument() {
        Configuration c = configuration;
        return "role=" + role.label() + ",mode=" + c.mode().label() + ",channels=" + c.channels() + ",destination="
                + c.destination().label() + ",huge-pages=" + c.hugePages() + ",prefault=" + c.prefault() + ",verify=" + c.verify() + ",size="
                + size + ",warm-up-ports="
                + warmUpPorts.stream().map(String::valueOf).collect(Collectors.joining(":")) + ",warm-up=" + warmUp
                + (credentials == null ? "" : ",credentials=" + credentials);
    }

    /**
     * Parses the option value.
     *
     * @param text as made by {@link #toArgument()}
     * @return the spec
     * @throws IllegalArgumentException naming what is missing or wrong
     */
    public static WorkerSpec parse(String text) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--worker: malformed field '" + part + "' in '" + text + "'");
            }
            fields.put(part.substring(0, eq), part.substring(eq + 1));
        }
        String roleName = field(fields, "role", text);
        Role role = switch (roleName) {
            case "source" -> Role.SOURCE;
            case "destination" -> Role.DESTINATION;
            default -> throw new IllegalArgumentException("--worker: unknown role '" + roleName + "'");
        };
        Configuration configuration = new Configuration(Mode.ofLabel(field(fields, "mode", text)),
                Integer.parseInt(field(fields, "channels", text)),
                DestinationKind.ofLabel(field(fields, "destination", text)),
                Boolean.parseBoolean(field(fields, "huge-pages", text)),
                Boolean.parseBoolean(field(fields, "prefault", text)),
                Boolean.parseBoolean(field(fields, "verify", text)));
        return new WorkerSpec(role, configuration, Long.parseLong(field(fields, "size", text)),
                ports(field(fields, "warm-up-ports", text)),
                Long.parseLong(field(fields, "warm-up", text)),
                fields.containsKey("credentials") ? Path.of(fields.get("credentials")) : null);
    }

    private static List<Integer> ports(String text) {
        return text.isEmpty() ? List.of() : Arrays.stream(text.split(":")).map(Integer::valueOf).toList();
    }

    private static String field(Map<String, String> fields, String name, String text) {
        String value = fields.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--worker: field '" + name + "' missing in '" + text + "'");
        }
        return value;
    }
}
