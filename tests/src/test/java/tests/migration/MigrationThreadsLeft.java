package tests.migration;

import java.util.List;

/** The migration threads still alive in this JVM (their names start with {@code migration-}). */
final class MigrationThreadsLeft {

    private MigrationThreadsLeft() {
    }

    static List<String> names() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("migration-")).sorted().toList();
    }
}
