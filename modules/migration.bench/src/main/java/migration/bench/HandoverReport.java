package migration.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;
import migration.json.Json;

/**
 * The report of {@code multifd bench --handover}: per size, the handover beside the copying migrations of the
 * same size, medians of the runs, in Markdown and JSON.
 *
 * @param date        when the run started (ISO 8601)
 * @param commandLine the bench's command line
 * @param machine     the machine
 * @param rows        per size, one row per kind
 */
record HandoverReport(String date, String commandLine, Machine machine, List<Row> rows) {

    /** What moves the memory. */
    enum Kind {
        /** {@code multifd demo --handover}: the memfd passed over the Unix domain socket, live, writers running. */
        HANDOVER("handover", "demo --handover: memfd passed over a Unix domain socket, live, writers at 64 MiB/s"),
        /** {@code receive --listen unix:PATH} and {@code send}: every page copied over a Unix domain socket. */
        COPY_UNIX("copy-unix", "receive --listen unix:PATH --size, send --from a tmpfs file: every page copied"),
        /** {@code receive --listen 127.0.0.1:0} and {@code send}: every page copied over loopback TCP. */
        COPY_TCP("copy-tcp", "receive --listen 127.0.0.1:0 --size, send --from a tmpfs file: every page copied");

        private final String label;
        private final String how;

        Kind(String label, String how) {
            this.label = label;
            this.how = how;
        }

        /** {@return the name in the table and the JSON} */
        String label() {
            return label;
        }
    }

    /**
     * One run's figures, from the source's statistics.
     *
     * @param totalMillis    {@code total-time}
     * @param setupMillis    {@code setup-time}
     * @param downtimeMillis {@code downtime} of a live run, -1 for one that is not live
     * @param writeProtectMillis {@code write-protect-time}: after a handover, the source's write-protect of what it
     *                       handed over, after COMMIT
     */
    record Run(long totalMillis, long setupMillis, long downtimeMillis, long writeProtectMillis) {
    }

    /**
     * One kind at one size.
     *
     * @param kind    what moved the memory
     * @param size    bytes
     * @param runs    the runs that ended
     * @param skipped why the row stopped, or {@code null}
     */
    record Row(Kind kind, long size, List<Run> runs, String skipped) {
        Row {
            runs = List.copyOf(runs);
        }

        /** {@return the median of a figure over the runs, or -1 without runs} */
        long median(ToLongFunction<Run> figure) {
            long[] values = runs.stream().mapToLong(figure).sorted().toArray();
            return values.length == 0 ? -1 : values[(values.length - 1) / 2];
        }
    }

    /** {@return whether any row has a run} */
    boolean anyMeasured() {
        return rows.stream().anyMatch(row -> !row.runs().isEmpty());
    }

    /** {@return the report in Markdown} */
    String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("# multifd bench --handover: ").append(date).append("\n\n");
        out.append("- command: `").append(commandLine).append("`\n");
        out.append("- machine: ").append(machine.describe()).append('\n');
        for (Kind kind : Kind.values()) {
            out.append("- ").append(kind.label).append(": ").append(kind.how).append('\n');
        }
        out.append("\n| size | kind | runs | total ms (median) | setup ms (median) | downtime ms (median)"
                + " | write-protect ms (median) |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            out.append("| ").append(sizeText(row.size())).append(" | ").append(row.kind().label)
                    .append(" | ").append(row.runs().size()).append(" | ").append(cell(row.median(Run::totalMillis)))
                    .append(" | ").append(cell(row.median(Run::setupMillis))).append(" | ")
                    .append(cell(row.median(Run::downtimeMillis))).append(" | ")
                    .append(row.kind() == Kind.HANDOVER ? cell(row.median(Run::writeProtectMillis)) : "-")
                    .append(row.skipped() == null ? "" : " (" + row.skipped() + ")").append(" |\n");
        }
        out.append(String.format(Locale.ROOT, "%nThe total is the source's total-time, from its start to COMMIT,"
                + " from which on the destination owns and runs the memory; the setup is its part before the first"
                + " page. Only a live run has a downtime (\"-\" otherwise): a copying run here is not live. After a"
                + " handover's COMMIT the source write-protects its own mapping of what it handed over before its"
                + " migration returns, which the kernel does page by page: the write-protect column, outside the"
                + " total.%n"));
        return out.toString();
    }

    /** {@return a size as the table shows it: whole GiB or MiB where it is one, else bytes} */
    static String sizeText(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        return bytes % (1L << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }

    private static String cell(long value) {
        return value < 0 ? "-" : Long.toString(value);
    }

    /** {@return the JSON document} */
    String json() {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("date", date);
        document.put("command", commandLine);
        document.put("machine", machine.json());
        List<Map<String, Object>> list = new ArrayList<>();
        for (Row row : rows) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("size", row.size());
            entry.put("kind", row.kind().label);
            entry.put("runs", row.runs().size());
            entry.put("total-ms", row.median(Run::totalMillis));
            entry.put("setup-ms", row.median(Run::setupMillis));
            entry.put("downtime-ms", row.median(Run::downtimeMillis));
            if (row.kind() == Kind.HANDOVER) {
                entry.put("write-protect-ms", row.median(Run::writeProtectMillis));
            }
            if (row.skipped() != null) {
                entry.put("skipped", row.skipped());
            }
            list.add(entry);
        }
        document.put("rows", list);
        return Json.write(document) + "\n";
    }
}
