package migration.cli;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * For {@code multifd info}: which JIT compilers this JVM runs, whether the image launcher's compiler directives
 * keep C2 to the JDK's cipher code, and how to replace the launcher's JIT options. The launcher
 * ({@code bin/multifd}) holds the policy; this reads what the JVM was actually started with, so that options of
 * the user's own ({@code MULTIFD_JIT_OPTIONS}, {@code JDK_JAVA_OPTIONS}, {@code JAVA_TOOL_OPTIONS}) show as they
 * took effect.
 *
 * @param compilers          the JIT compilers running: {@code "C1 and C2"}, {@code "C1"}, {@code "C2"} or
 *                           {@code "none (interpreter only)"}
 * @param directives         the compiler directives file the JVM was started with (absolute), or {@code null}
 * @param c2OnlyForCipher    whether C2 runs and that file is the launcher's, which lets C2 compile only the JDK's
 *                           cipher code
 * @param multifdJitOptions  the value of {@value #VARIABLE} in this process's environment, or {@code null} unset
 */
record JitReport(String compilers, String directives, boolean c2OnlyForCipher, String multifdJitOptions) {

    /** The environment variable whose value, when set, the launcher passes to java instead of its JIT options. */
    // IMPORTANT: the name and the directives file below are image/src/launcher/multifd's.
    static final String VARIABLE = "MULTIFD_JIT_OPTIONS";

    /** The launcher's compiler directives, relative to the image ({@code java.home}). */
    static final String LAUNCHER_DIRECTIVES = "lib/tls-jit.json";

    /** The launcher's rule, in one sentence (README and docs/design/jit-and-startup.md state it too). */
    static final String RULE = "the launcher lets C2 compile only the JDK's cipher code and C1 everything else;"
            + " " + VARIABLE + ", when set, replaces that (empty: the JVM's default JIT)";

    private static final String DIRECTIVES_OPTION = "-XX:CompilerDirectivesFile=";

    /** {@return the report for this JVM} */
    static JitReport current() {
        HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
        Map<String, String> flags = new LinkedHashMap<>();
        for (String name : List.of("UseCompiler", "TieredCompilation", "TieredStopAtLevel", "CompilationMode")) {
            try {
                flags.put(name, hotSpot.getVMOption(name).getValue());
            } catch (IllegalArgumentException absent) {
                // A JVM without this flag runs it at its default: compilers(..) reads a missing flag so.
            }
        }
        return of(flags, ManagementFactory.getRuntimeMXBean().getInputArguments(),
                Path.of(System.getProperty("java.home")).resolve(LAUNCHER_DIRECTIVES), System.getenv(VARIABLE));
    }

    /**
     * {@return the report for a JVM with these flags and options}
     *
     * @param flags              HotSpot flags by name ({@code UseCompiler}, {@code TieredCompilation},
     *                           {@code TieredStopAtLevel}, {@code CompilationMode}); a missing one is at its default
     * @param inputArguments     the JVM's options, as {@code RuntimeMXBean.getInputArguments()} gives them
     * @param launcherDirectives the launcher's compiler directives file in this image
     * @param multifdJitOptions  the value of {@value #VARIABLE}, or {@code null} unset
     */
    static JitReport of(Map<String, String> flags, List<String> inputArguments, Path launcherDirectives,
                        String multifdJitOptions) {
        // java takes the last of repeated -XX options.
        String directives = inputArguments.reversed().stream().filter(a -> a.startsWith(DIRECTIVES_OPTION))
                .map(a -> Path.of(a.substring(DIRECTIVES_OPTION.length())).toAbsolutePath().normalize().toString())
                .findFirst().orElse(null);
        String compilers = compilers(flags);
        boolean launchers = directives != null && compilers.contains("C2")
                && directives.equals(launcherDirectives.toAbsolutePath().normalize().toString());
        return new JitReport(compilers, directives, launchers, multifdJitOptions);
    }

    /** {@return the compilers a JVM with these HotSpot flags runs (a missing flag is at its default)} */
    static String compilers(Map<String, String> flags) {
        if (flags.getOrDefault("UseCompiler", "true").equals("false")) {
            return "none (interpreter only)";
        }
        String mode = flags.getOrDefault("CompilationMode", "default");
        if (flags.getOrDefault("TieredCompilation", "true").equals("false") || mode.startsWith("high-only")) {
            return "C2";
        }
        int stopAt = Integer.parseInt(flags.getOrDefault("TieredStopAtLevel", "4"));
        if (stopAt == 0) {
            return "none (interpreter only)";
        }
        return stopAt < 4 || mode.equals("quick-only") ? "C1" : "C1 and C2";
    }

    /** {@return the JSON form} */
    Map<String, Object> toJson() {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("compilers", compilers);
        document.put("compiler-directives", directives);
        document.put("c2-only-for-cipher", c2OnlyForCipher);
        document.put("multifd-jit-options", multifdJitOptions);
        document.put("rule", RULE);
        return document;
    }

    /** {@return the text form, lines ending in the platform's line break} */
    String toText() {
        String nl = System.lineSeparator();
        String what = c2OnlyForCipher ? "C1, and C2 for the JDK's cipher code only (the launcher's compiler"
                + " directives, " + directives + ")"
                : directives != null ? compilers + ", as the compiler directives in " + directives + " allow"
                : compilers;
        String source = multifdJitOptions == null ? ""
                : " (" + VARIABLE + "='" + multifdJitOptions + "' replaced the launcher's JIT options)";
        return "jit: " + what + source + nl + "  rule: " + RULE + nl;
    }
}
