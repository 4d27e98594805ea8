package migration.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The machine a run measured, read from {@code /proc} and {@code /sys} (java.base only).
 *
 * @param processors      available processors
 * @param kernel          {@code /proc/sys/kernel/osrelease}, or the os.version property elsewhere
 * @param cpuModel        the first {@code model name} in {@code /proc/cpuinfo}, or "unknown"
 * @param transparentHugePages the selected value of {@code /sys/kernel/mm/transparent_hugepage/enabled}
 * @param memoryProvider  the {@link io.channel.memory.PageMemory} provider in use and whether it maps untouched memory
 */
public record Machine(int processors, String kernel, String cpuModel, String transparentHugePages,
                      String memoryProvider) {

    /** {@return this machine} */
    public static Machine current() {
        String kernel = firstLine(Path.of("/proc/sys/kernel/osrelease"))
                .orElse(System.getProperty("os.name") + " " + System.getProperty("os.version"));
        String model = "unknown";
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            model = lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst().orElse("unknown");
        } catch (IOException | RuntimeException e) {
            // Not Linux: keep "unknown".
        }
        String thp = firstLine(Path.of("/sys/kernel/mm/transparent_hugepage/enabled")).map(Machine::selected)
                .orElse("unavailable");
        io.channel.memory.MemoryProvider memory = io.channel.memory.PageMemory.provider();
        return new Machine(Runtime.getRuntime().availableProcessors(), kernel, model, thp,
                memory.name() + (memory.allocatesUntouched() ? " (untouched mappings)" : " (touches on allocation)"));
    }

    /** {@return the machine in one line, for a report's header} */
    public String describe() {
        return processors + " CPUs, " + cpuModel + ", kernel " + kernel + ", THP " + transparentHugePages
                + ", memory provider " + memoryProvider;
    }

    /** {@return the machine as a JSON object, in the reports' names} */
    public java.util.Map<String, Object> json() {
        java.util.Map<String, Object> json = new java.util.LinkedHashMap<>();
        json.put("processors", processors);
        json.put("kernel", kernel);
        json.put("cpu-model", cpuModel);
        json.put("transparent-huge-pages", transparentHugePages);
        json.put("memory-provider", memoryProvider);
        return json;
    }

    /** {@return the bracketed choice of a sysfs selection such as {@code always [madvise] never}} */
    static String selected(String line) {
        int open = line.indexOf('[');
        int close = line.indexOf(']', open + 1);
        return open >= 0 && close > open ? line.substring(open + 1, close) : line.strip();
    }

    private static java.util.Optional<String> firstLine(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.findFirst().map(String::strip);
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }
}
