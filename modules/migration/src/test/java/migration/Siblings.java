package migration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What a file destination leaves beside its file. */
final class Siblings {

    private Siblings() {
    }

    /** {@return the files in {@code file}'s directory other than it} */
    static List<Path> of(Path file) throws IOException {
        try (Stream<Path> files = Files.list(file.getParent())) {
            return files.filter(f -> !f.getFileName().equals(file.getFileName())).toList();
        }
    }
}
