package migration;

import java.util.List;
import java.util.Objects;

/**
 * A snapshot of a migration's statistics, modelled on QEMU's {@code query-migrate}.
 *
 * @param status                  where the migration is in its life cycle
 * @param totalTimeMillis         milliseconds since the migration started (until it ended, once final)
 * @param setupTimeMillis         milliseconds the setup took (connecting and handshake), 0 while in setup
 * @param transferred             bytes on the wire so far, headers included, on all channels (the source
 *                                counts what it sent, the destination what it received)
 * @param total                   bytes of RAM to migrate (the sum of the block sizes)
 * @param remaining               bytes of RAM not yet sent (source) or received (destination)
 * @param mbps                    average throughput in megabits per second since the migration started
 * @param normalPages             pages sent with their contents
 * @param duplicatePages          zero pages, sent as offsets only (QEMU's {@code duplicate})
 * @param normalBytes             bytes of the normal pages
 * @param dirtySyncCount          completed rounds (sync points)
 * @param dirtySyncMissedZeroCopy channel flushes at a sync point where the kernel had copied every
 *                                zero-copy write (QEMU's {@code dirty-sync-missed-zero-copy})
 * @param multifdBytes            bytes on the multifd channels, headers included
 * @param pageSize                the page size in bytes
 * @param channels                per-channel statistics, by id
 * @param zeroCopy                whether zero-copy is in effect and why
 * @param errorDescription        why the migration failed or was cancelled; {@code null} otherwise
 * @param verified                whether the destination checked the end-to-end digests and they matched
 */
public record MigrationStats(MigrationStatus status, long totalTimeMillis, long setupTimeMillis, long transferred,
                             long total, long remaining, double mbps, long normalPages, long duplicatePages,
                             long normalBytes, long dirtySyncCount, long dirtySyncMissedZeroCopy, long multifdBytes,
                             int pageSize, List<ChannelStats> channels, ZeroCopyStats zeroCopy,
                             String errorDescription, boolean verified) {

    /**
     * Checks and copies the components.
     *
     * @throws NullPointerException if {@code status}, {@code channels} or {@code zeroCopy} is null
     */
    public MigrationStats {
        Objects.requireNonNull(status, "status");
        channels = List.copyOf(channels);
        Objects.requireNonNull(zeroCopy, "zeroCopy");
    }

    /**
     * Renders the statistics as one JSON object, with QEMU's {@code query-migrate} names where they exist:
     * {@code status}, {@code total-time}, {@code setup-time}, {@code ram} {...}, {@code zero-copy} {...},
     * {@code channels} [...], {@code verified} and {@code error-desc} (only when there is an error).
     *
     * @return the JSON text, on one line
     */
    public String toJson() {
        JsonWriter json = new JsonWriter();
        json.beginObject();
        json.name("status").value(status.jsonName());
        json.name("total-time").value(totalTimeMillis);
        json.name("setup-time").value(setupTimeMillis);
        json.name("ram").beginObject();
        json.name("transferred").value(transferred);
        json.name("total").value(total);
        json.name("remaining").value(remaining);
        json.name("mbps").value(mbps);
        json.name("normal").value(normalPages);
        json.name("normal-bytes").value(normalBytes);
        json.name("duplicate").value(duplicatePages);
        json.name("dirty-sync-count").value(dirtySyncCount);
        json.name("dirty-sync-missed-zero-copy").value(dirtySyncMissedZeroCopy);
        json.name("multifd-bytes").value(multifdBytes);
        json.name("page-size").value(pageSize);
        json.endObject();
        json.name("zero-copy").beginObject();
        json.name("mode").value(zeroCopy.mode().jsonName());
        json.name("provider").value(zeroCopy.provider());
        json.name("active").value(zeroCopy.active());
        json.name("sends").value(zeroCopy.sends());
        json.name("copied").value(zeroCopy.copied());
        json.name("enobufs-retries").value(zeroCopy.enobufsRetries());
        json.name("copy-fallbacks").value(zeroCopy.copyFallbacks());
        json.name("reason").value(zeroCopy.reason());
        json.endObject();
        json.name("channels").beginArray();
        for (ChannelStats channel : channels) {
            json.beginObject();
            json.name("id").value(channel.id());
            json.name("bytes").value(channel.bytes());
            json.name("packets").value(channel.packets());
            json.name("provider").value(channel.provider());
            json.name("zero-copy").value(channel.zeroCopyActive());
            json.endObject();
        }
        json.endArray();
        json.name("verified").value(verified);
        if (errorDescription != null) {
            json.name("error-desc").value(errorDescription);
        }
        json.endObject();
        return json.toString();
    }
}
