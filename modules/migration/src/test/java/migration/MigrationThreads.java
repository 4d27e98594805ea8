package migration;

import java.util.List;

/** Finds the threads a migration started. */
final class MigrationThreads {

    private MigrationThreads() {
    }

    /** {@return the names of live threads whose name starts with "migration-"} */
    static List<String> live() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> name.startsWith("migration-")).sorted().toList();
    }
}
