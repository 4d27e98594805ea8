package migration.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import migration.MigrationStats;
import migration.TlsStats;
import migration.ZeroCopyStats;

/** The table printed when a migration has ended: what moved, how fast, over what, and what zero-copy did. */
final class Summary {

    private final List<String[]> rows = new ArrayList<>();

    /**
     * Builds the table from a side's final statistics.
     *
     * @param stats   final statistics
     * @param sending whether these are the source's (then zero-copy is described)
     */
    Summary(MigrationStats stats, boolean sending) {
        row("status", stats.status().jsonName() + switch (stats.verifiedBy()) {
            case PAGE_DIGESTS -> ", digests verified by the destination";
            case FINAL_MEMORY -> ", digests verified by the destination (of the final memory)";
            case TLS -> ", verified by the destination: TLS authenticated every byte (no page digests needed)";
            case NONE -> ", digests NOT verified";
        } + (stats.errorDescription() == null ? "" : ": " + OneLine.of(stats.errorDescription())));
        row("owner", switch (stats.ownership()) {
            case SOURCE -> "the source" + (sending ? " (this side)" : "") + ": the memory was not handed over";
            case DESTINATION -> "the destination" + (sending ? "" : " (this side)") + ": the memory was handed over";
            case UNKNOWN -> "unknown: this memory is complete, but the source alone knows whether it handed it"
                    + " over; use it only if the source reports the destination as owner";
        });
        long pages = stats.normalPages() + stats.duplicatePages();
        row("size", ByteSize.format(stats.total()) + " in " + pages + " pages of " + stats.pageSize() + " bytes: "
                + stats.normalPages() + " normal, " + stats.duplicatePages() + " zero");
        row("time", String.format(Locale.ROOT, "%.3f s (setup %d ms)", stats.totalTimeMillis() / 1000.0,
                stats.setupTimeMillis()));
        long moved = stats.total() - stats.remaining();
        row("throughput", ByteSize.formatGibPerSecond(moved, stats.totalTimeMillis()) + " of memory; "
                + ByteSize.format(stats.transferred()) + " on the wire ("
                + String.format(Locale.ROOT, "%.0f", stats.mbps()) + " Mbit/s)");
        String provider = stats.channels().isEmpty() ? stats.zeroCopy().provider()
                : stats.channels().getFirst().provider();
        row("channels", stats.channels().size() + " multifd + 1 main, provider " + provider);
        TlsStats tls = stats.tls();
        if (tls.enabled()) {
            row("tls", tls.protocol() == null ? "on, no handshake completed"
                    : tls.protocol() + " " + tls.cipherSuite() + ", peer " + (tls.peerIdentity() == null
                            ? "not authenticated" : "'" + tls.peerIdentity() + "' (certificate verified)"));
        }
        ZeroCopyStats zeroCopy = stats.zeroCopy();
        if (sending) {
            row("zero-copy", zeroCopy.mode().jsonName() + ": " + zeroCopy.reason());
            row("", counts(zeroCopy));
        } else {
            row("zero-copy", zeroCopy.reason());
        }
    }

    /** {@return the zero-copy counters in plain words} */
    static String counts(ZeroCopyStats zeroCopy) {
        if (zeroCopy.sends() == 0) {
            return "no zero-copy sends: every page was sent by copying";
        }
        String copied = zeroCopy.copied() == 0
                ? "no completion said the kernel copied (the pages went out from memory)"
                : plural(zeroCopy.copied(), "completion") + " said the kernel copied the pages anyway";
        return plural(zeroCopy.sends(), "zero-copy send") + "; " + copied + "; "
                + plural(zeroCopy.enobufsRetries(), "retry", "retries") + " after ENOBUFS (memlock or optmem full); "
                + plural(zeroCopy.copyFallbacks(), "send") + " fell back to copying";
    }

    private static String plural(long count, String noun) {
        return plural(count, noun, noun + "s");
    }

    private static String plural(long count, String one, String many) {
        return count + " " + (count == 1 ? one : many);
    }

    /**
     * Adds a row.
     *
     * @param name  the left column, empty to continue the previous row
     * @param value the right column
     * @return this
     */
    Summary row(String name, String value) {
        rows.add(new String[] {name, value});
        return this;
    }

    /** {@return the table, one row per line, each ending in a line break} */
    String render() {
        int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
        StringBuilder text = new StringBuilder();
        for (String[] row : rows) {
            text.append("  ").append(row[0]).append(" ".repeat(width - row[0].length())).append("  ")
                    .append(row[1]).append(System.lineSeparator());
        }
        return text.toString();
    }
}
