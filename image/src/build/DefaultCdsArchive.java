import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dumps a runtime image's default CDS archives ({@code lib/server/classes.jsa}, and {@code classes_nocoops.jsa}
 * for {@code -XX:-UseCompressedOops}), as {@code jlink --generate-cds-archive} does, but from a class list that
 * names only classes the image has; fails if a dump prints a warning or an error.
 *
 * <p>Why: jlink copies the JDK's class list ({@code lib/classlist}, recorded by the JDK's build from a program that
 * also uses {@code java.util.logging}) into every image, and its CDS plugin dumps with it as it is. An image
 * without {@code java.logging} then prints two lines per missing class and dump, about 80 lines of
 * {@code [warning][cds] Preload Warning: Cannot find java/util/logging/...} and
 * {@code resolve_indy ... NoClassDefFoundError}, in every first build. The classes were skipped anyway, so the
 * archives hold the same classes either way; the image's own {@code lib/classlist} is left as the JDK wrote it.
 * The class-list format is the one {@code -XX:DumpLoadedClassList} writes (JDK's
 * {@code src/hotspot/share/cds/classListParser.cpp}): one class per line, or an {@code @} directive whose
 * arguments name classes and method descriptors; a line is kept only if every class it names is in the image.
 *
 * <p>Run by the image build (see {@code image/pom.xml}) as a source-file program on the JDK toolchain, the JDK the
 * image was linked from: {@code java DefaultCdsArchive.java <image> <filtered class list to write>}.
 */
public final class DefaultCdsArchive {

    /** A class in a method or field descriptor: Ljava/util/logging/Level$KnownLevel; (JVMS 4.3). */
    private static final Pattern IN_DESCRIPTOR = Pattern.compile("L([^;]+);");

    private DefaultCdsArchive() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 2) {
            throw new IllegalArgumentException(
                    "usage: java DefaultCdsArchive.java <image> <filtered class list>, not " + String.join(" ", args));
        }
        Path image = Path.of(args[0]);
        Path classList = Path.of(args[1]);
        List<String> lines = Files.readAllLines(image.resolve("lib/classlist"), StandardCharsets.UTF_8);
        List<String> kept = new ArrayList<>();
        try (FileSystem jrt = FileSystems.newFileSystem(URI.create("jrt:/"), Map.of("java.home", image.toString()))) {
            for (String line : lines) {
                if (line.startsWith("#") || namesOnlyClassesOf(jrt, line)) {
                    kept.add(line);
                }
            }
        }
        Files.createDirectories(classList.toAbsolutePath().getParent());
        Files.write(classList, kept, StandardCharsets.UTF_8);

        Path java = image.resolve("bin/java");
        dump(List.of(java.toString(), "-Xshare:dump", "-XX:SharedClassListFile=" + classList));
        dump(List.of(java.toString(), "-XX:-UseCompressedOops", "-Xshare:dump", "-XX:SharedClassListFile=" + classList));
        System.out.println("Dumped the image's default CDS archives from " + kept.size() + " of " + lines.size()
                + " lines of its class list (the others name classes of modules the image leaves out)");
    }

    /**
     * {@return whether every class the line names is in the image}: a word with a slash is a class in internal
     * form ({@code java/util/logging/Level}), unless it holds a descriptor ({@code (Ljava/lang/String;)V}), whose
     * classes are read from it. Dotted names ({@code @lambda-form-invoker}'s {@code java.lang.invoke} holders) are
     * the JDK's own and left as they are.
     */
    private static boolean namesOnlyClassesOf(FileSystem jrt, String line) {
        for (String word : line.split(" ")) {
            if (word.contains("(") || word.contains(";")) {
                Matcher name = IN_DESCRIPTOR.matcher(word);
                while (name.find()) {
                    if (!hasClass(jrt, name.group(1))) {
                        return false;
                    }
                }
            } else if (word.contains("/") && !hasClass(jrt, word)) {
                return false;
            }
        }
        return true;
    }

    /** {@return whether a module of the image holds the class}; jrt:/packages/P/M links to the modules that hold P. */
    private static boolean hasClass(FileSystem jrt, String internalName) {
        int slash = internalName.lastIndexOf('/');
        Path modules = jrt.getPath("/packages", internalName.substring(0, slash).replace('/', '.'));
        if (!Files.isDirectory(modules)) {
            return false;
        }
        try (var holders = Files.list(modules)) {
            return holders.anyMatch(module -> Files.exists(
                    jrt.getPath("/modules", module.getFileName().toString(), internalName + ".class")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs one dump; its output is printed only when it failed or warned, and then the build fails. */
    private static void dump(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        boolean warned = output.lines().anyMatch(line -> line.contains("[warning]") || line.contains("[error]"));
        if (exit != 0 || warned) {
            System.err.print(output);
            System.err.println("DefaultCdsArchive: " + String.join(" ", command) + (exit != 0
                    ? " failed with exit code " + exit
                    : " printed warnings (above); the image build must print none"));
            System.exit(1);
        }
    }
}
