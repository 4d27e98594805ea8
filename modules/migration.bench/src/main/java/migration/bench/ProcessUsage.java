package migration.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * What a whole child process cost, start-up included: its CPU time (user + system, all threads) and its minor
 * page faults, as its parent shell saw them once it had waited for it, and the clock ticks per second the kernel
 * counts CPU time in.
 *
 * <p>A process's own counters vanish when it is reaped, and Java reaps its children itself, so the tool runs
 * under {@code sh}, which waits for it and then prints one line with its own {@code /proc/self/stat}: the
 * fields {@code cminflt}, {@code cutime} and {@code cstime} (proc(5), fields 11, 16, 17) hold exactly what
 * the waited-for child (the launcher, which execs java) used.
 *
 * @param cpuNanos       user + system CPU time
 * @param minorFaults    minor page faults
 * @param ticksPerSecond the clock ticks per second of {@code /proc/PID/stat}'s times ({@code getconf CLK_TCK})
 */
public record ProcessUsage(long cpuNanos, long minorFaults, long ticksPerSecond) {

    /** The first word of the line the wrapping shell prints after the tool's own output. */
    static final String PREFIX = "multifd-bench-usage";

    /**
     * The {@code sh -c} script that runs its arguments, then prints {@link #PREFIX}, the clock ticks per second
     * and its own stat line, and exits with the tool's status.
     */
    static final String SCRIPT = "\"$@\"; status=$?; read -r stat < /proc/$$/stat;"
            + " echo \"" + PREFIX + " $(getconf CLK_TCK 2>/dev/null || echo 100) $stat\"; exit $status";

    /**
     * Parses the line the script prints.
     *
     * @param line {@code multifd-bench-usage TICKS PID (COMM) STATE …}
     * @return the usage of the shell's waited-for children
     * @throws IllegalArgumentException if the line is not one, naming it
     */
    public static ProcessUsage parse(String line) {
        if (!line.startsWith(PREFIX + " ")) {
            throw new IllegalArgumentException("not a usage line: '" + line + "'");
        }
        try {
            String rest = line.substring(PREFIX.length() + 1);
            long ticks = Long.parseLong(rest.substring(0, rest.indexOf(' ')));
            String[] fields = fieldsFromState(rest);
            long cminflt = Long.parseLong(fields[11 - 3]);
            long cutime = Long.parseLong(fields[16 - 3]);
            long cstime = Long.parseLong(fields[17 - 3]);
            return new ProcessUsage((cutime + cstime) * 1_000_000_000L / ticks, cminflt, ticks);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed usage line '" + line + "': " + e, e);
        }
    }

    /**
     * {@return the fields of a {@code /proc/PID/stat} line from field 3 (state) on, so that field N is at index N - 3}
     * The command name before them is in brackets and may hold spaces and brackets itself.
     *
     * @param stat the line, or its part from the process id on
     * @throws IllegalArgumentException if it has no command name in brackets
     */
    static String[] fieldsFromState(String stat) {
        int end = stat.lastIndexOf(')');
        if (end < 0 || end + 2 > stat.length()) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: '" + stat + "'");
        }
        return stat.substring(end + 2).strip().split(" ");
    }

    /** {@return the command that runs {@code command} under the reporting shell} @param command the tool */
    static List<String> wrap(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("sh", "-c", SCRIPT, "sh"));
        wrapped.addAll(command);
        return wrapped;
    }
}
