/**
 * The {@code multifd} command-line tool ({@code demo}, {@code send}, {@code receive}, {@code info}) and its
 * benchmark ({@code bench}, package {@code migration.cli.bench}), built on the {@code migration} library. Its entry
 * point is {@link migration.cli.Main}; nothing here is API, and no library module depends on it.
 */
module migration.cli {
    requires migration;

    // picocli reads the annotated commands reflectively.
    requires info.picocli;

    // multifd bench reports the JIT's compilation time inside each measured window.
    requires java.management;

    // multifd receive --size compares the size with the machine's memory and swap (com.sun.management).
    requires jdk.management;

    opens migration.cli to info.picocli;
}
