import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.lang.constant.ClassDesc;
import java.lang.reflect.ClassFileFormatVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Rewrites the class files of a jar to a newer class-file version, with the stack maps that version requires, and
 * leaves everything else in the jar (manifest, module descriptor, resources) as it was.
 *
 * <p>Why: picocli ships Java 5 class files (version 49). The JDK 25 AOT cache (JEP 483) leaves such "old" classes
 * out ({@code -Xlog:aot}: "Skipping picocli/...: Old class has been linked"), so every run of the tool loaded,
 * verified with the old type-inferring verifier and interpreted picocli's ~190 classes before it parsed its
 * command line. Rewritten, they are archived, loaded and linked like the tool's own classes. Only the container
 * changes: every method body is re-emitted instruction by instruction, so the ClassFile API (JDK 24, JEP 484)
 * computes its stack map frames, which needs the class hierarchy: the jar's own classes are read from the jar,
 * the JDK's from the JDK that runs this program.
 *
 * <p>Run by the image build (see {@code image/pom.xml}) as a source-file program on the JDK 25 toolchain:
 * {@code java ModernClassFiles.java <jar> <rewritten jar> <Java release>}.
 */
public final class ModernClassFiles {

    private ModernClassFiles() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException(
                    "usage: java ModernClassFiles.java <jar> <rewritten jar> <Java release>, not " + String.join(" ", args));
        }
        Path source = Path.of(args[0]);
        Path target = Path.of(args[1]);
        // Throws where this JDK does not know the release.
        ClassFileFormatVersion release = ClassFileFormatVersion.valueOf(Runtime.Version.parse(args[2]));
        if (release.compareTo(ClassFileFormatVersion.RELEASE_7) < 0) {
            throw new IllegalArgumentException("Java release " + args[2] + " is too old: 7 is the first whose class"
                    + " files must carry stack maps");
        }
        int major = release.major();
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        int rewritten;
        try (ZipFile jar = new ZipFile(source.toFile());
             OutputStream file = Files.newOutputStream(partial);
             ZipOutputStream out = new ZipOutputStream(file)) {
            rewritten = rewrite(jar, out, major);
        }
        Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("Rewrote " + rewritten + " classes of " + source.getFileName() + " to class-file version "
                + major + " (Java " + args[2] + "): " + target);
    }

    /** Copies every entry of {@code jar}, in order, rewriting the classes; returns how many it rewrote. */
    private static int rewrite(ZipFile jar, ZipOutputStream out, int major) throws IOException {
        ClassFile classFile = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
                ClassHierarchyResolver.ofResourceParsing(desc -> open(jar, desc))
                        .orElse(ClassHierarchyResolver.defaultResolver())
                        .cached()));
        ClassTransform transform = ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
                .andThen((builder, element) -> {
                    if (element instanceof ClassFileVersion) {
                        builder.withVersion(major, 0);
                    } else {
                        builder.with(element);
                    }
                });
        int rewritten = 0;
        for (ZipEntry entry : Collections.list(jar.entries())) {
            byte[] bytes;
            try (InputStream in = jar.getInputStream(entry)) {
                bytes = in.readAllBytes();
            }
            String name = entry.getName();
            // The module descriptor (META-INF/versions/9/module-info.class in picocli) has no code to rewrite.
            if (name.endsWith(".class") && !name.endsWith("module-info.class")) {
                try {
                    bytes = classFile.transformClass(classFile.parse(bytes), transform);
                } catch (IllegalArgumentException | IllegalStateException e) {
                    throw new IllegalStateException("cannot rewrite " + name + ": " + e.getMessage(), e);
                }
                rewritten++;
            }
            ZipEntry copy = new ZipEntry(name);
            // The original times, so that the rewritten jar is as reproducible as the one it comes from.
            copy.setTime(entry.getTime());
            out.putNextEntry(copy);
            out.write(bytes);
            out.closeEntry();
        }
        return rewritten;
    }

    /** The class file of {@code desc} in {@code jar}, or null where the jar has none (the JDK's classes). */
    private static InputStream open(ZipFile jar, ClassDesc desc) {
        String descriptor = desc.descriptorString();
        ZipEntry entry = jar.getEntry(descriptor.substring(1, descriptor.length() - 1) + ".class");
        try {
            return entry == null ? null : jar.getInputStream(entry);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
