package migration.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import migration.MigrationException;
import migration.MigrationStats;
import migration.MigrationStatus;
import migration.json.Json;

/**
 * How a migration command ends: the final statistics as one JSON document ({@code --json}) or as a table on
 * standard output, and exit code 0 only when the migration completed and the destination verified the digests.
 */
final class Outcome {

    private Outcome() {
    }

    /**
     * Reports a migration that ended without an exception.
     *
     * @param out      standard output
     * @param json     whether to print JSON
     * @param headline the table's first line, such as {@code multifd demo: migrated 1.00 GiB}
     * @param stats    final statistics
     * @param sending  whether these are the source's statistics
     * @return 0
     * @throws CommandFailure if the migration did not complete or the digests were not verified
     */
    static int completed(PrintWriter out, boolean json, String headline, MigrationStats stats, boolean sending) {
        if (json) {
            out.println(stats.toJson());
        } else {
            out.println(headline);
            out.print(new Summary(stats, sending).render());
        }
        out.flush();
        if (stats.status() != MigrationStatus.COMPLETED) {
            throw new CommandFailure("the migration ended " + stats.status().jsonName()
                    + (stats.errorDescription() == null ? "" : ": " + stats.errorDescription()));
        }
        if (!stats.verified()) {
            throw new CommandFailure("the migration completed but the destination did not verify the digests"
                    + (sending ? "" : " (the source sent none)"));
        }
        return 0;
    }

    /**
     * Reports a failed migration: with {@code --json}, the final statistics (or, when it never started, a
     * document with {@code status}, {@code cancelled} after Ctrl-C or SIGTERM, and {@code error-desc}) on standard
     * output.
     *
     * @param out   standard output
     * @param json  whether to print JSON
     * @param error the failure
     * @return the failure, to be thrown for the one-line message and exit code 1
     */
    static MigrationException failed(PrintWriter out, boolean json, MigrationException error) {
        if (json) {
            MigrationStats stats = error.stats();
            if (stats != null) {
                out.println(stats.toJson());
            } else {
                Map<String, Object> document = new LinkedHashMap<>();
                document.put("status", (Shutdown.current().requested() ? MigrationStatus.CANCELLED
                        : MigrationStatus.FAILED).jsonName());
                document.put("verified", false);
                document.put("error-desc", OneLine.of(error));
                out.println(Json.write(document));
            }
            out.flush();
        }
        return error;
    }
}
