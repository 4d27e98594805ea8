package migration;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import migration.json.Json;

/**
 * A snapshot of a migration's statistics, modelled on QEMU's {@code query-migrate}.
 *
 * @param status                  where the migration is in its life cycle
 * @param totalTimeMillis         milliseconds since the migration started: until the switchover's end (COMMIT sent
 *                                by the source, received by the destination), or until the end of a migration
 *                                that did not switch over
 * @param setupTimeMillis         milliseconds the setup took (connecting and handshake), 0 while in setup
 * @param transferred             bytes on the wire so far, headers included, on all channels (the source
 *                                counts what it sent, the destination what it received)
 * @param total                   bytes of RAM to migrate (the sum of the block sizes)
 * @param remaining               bytes of RAM not yet sent (source) or received (destination); for a live
 *                                source, the bytes of the current round not yet sent
 * @param mbps                    average throughput in megabits per second since the migration started
 * @param normalPages             pages sent with their contents
 * @param duplicatePages          zero pages, sent as offsets only (QEMU's {@code duplicate})
 * @param normalBytes             bytes of the normal pages
 * @param dirtySyncCount          completed rounds (sync points)
 * @param dirtySyncMissedZeroCopy channel flushes at a sync point (the end of a round) on a channel whose
 *                                pages were all copied although zero-copy was asked for: the kernel reported
 *                                every zero-copy write copied, {@code auto} had switched the channel to
 *                                copying for that reason, or the pages were of blocks tracked by page checksums,
 *                                which go out from a copy (QEMU's {@code dirty-sync-missed-zero-copy})
 * @param multifdBytes            bytes on the multifd channels, headers included
 * @param pageSize                the page size in bytes
 * @param channels                per-channel statistics, by id
 * @param zeroCopy                whether zero-copy is in effect and why
 * @param errorDescription        why the migration failed or was cancelled; {@code null} otherwise
 * @param verified                whether the destination proved that the memory arrived intact: the end-to-end
 *                                digests matched or, under TLS with verify {@code on}, TLS authenticated every
 *                                byte and the packet count matched ({@code verifiedBy} says which)
 * @param unidentifiedConnections destination: accepted connections dropped because they never identified
 *                                themselves as this migration's (port scanners, health checks, strangers); 0 at
 *                                the source
 * @param live                    the rounds, dirty tracking, downtime and throttling of a live migration
 * @param tls                     whether the channels run TLS, its protocol, cipher suite and the peer's identity
 * @param ownership               which side owns the memory, as this side knows it: {@link Ownership#SOURCE} until
 *                                the switchover commits (see {@link Ownership})
 * @param verifiedBy              what proved the memory intact; {@link VerifiedBy#NONE} exactly when not
 *                                {@code verified}
 * @param writeProtectTimeMillis  source of a handover: milliseconds it spent after COMMIT write-protecting its own
 *                                mapping of the memory it handed over, which the kernel does page by page (not in
 *                                {@code totalTimeMillis}: the destination owns and runs the memory meanwhile); 0
 *                                otherwise
 */
public record MigrationStats(MigrationStatus status, long totalTimeMillis, long setupTimeMillis, long transferred,
                             long total, long remaining, double mbps, long normalPages, long duplicatePages,
                             long normalBytes, long dirtySyncCount, long dirtySyncMissedZeroCopy, long multifdBytes,
                             int pageSize, List<ChannelStats> channels, ZeroCopyStats zeroCopy,
                             String errorDescription, boolean verified, long unidentifiedConnections,
                             LiveStats live, TlsStats tls, Ownership ownership, VerifiedBy verifiedBy,
                             long writeProtectTimeMillis) {

    /**
     * Checks and copies the components.
     *
     * @throws NullPointerException     if {@code status}, {@code channels} or {@code zeroCopy} is null
     * @throws IllegalArgumentException if {@code verifiedBy} contradicts {@code verified}, or
     *                                  {@code writeProtectTimeMillis} is negative
     */
    public MigrationStats {
        Objects.requireNonNull(status, "status");
        channels = List.copyOf(channels);
        Objects.requireNonNull(zeroCopy, "zeroCopy");
        Objects.requireNonNull(live, "live");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(ownership, "ownership");
        Objects.requireNonNull(verifiedBy, "verifiedBy");
        if (verified == (verifiedBy == VerifiedBy.NONE)) {
            throw new IllegalArgumentException("verified " + verified + " but verified by " + verifiedBy);
        }
        if (writeProtectTimeMillis < 0) {
            throw new IllegalArgumentException("writeProtectTimeMillis must not be negative: "
                    + writeProtectTimeMillis);
        }
    }

    /**
     * The statistics as before {@code writeProtectTimeMillis}: nothing was write-protected after a handover.
     *
     * @param status                  the status
     * @param totalTimeMillis         total time
     * @param setupTimeMillis         setup time
     * @param transferred             bytes on the wire
     * @param total                   bytes of RAM
     * @param remaining               bytes not yet moved
     * @param mbps                    throughput
     * @param normalPages             normal pages
     * @param duplicatePages          zero pages
     * @param normalBytes             bytes of normal pages
     * @param dirtySyncCount          rounds
     * @param dirtySyncMissedZeroCopy flushes that found every write copied
     * @param multifdBytes            bytes on the multifd channels
     * @param pageSize                the page size
     * @param channels                per channel
     * @param zeroCopy                zero-copy
     * @param errorDescription        the error or {@code null}
     * @param verified                whether the memory was proved intact
     * @param unidentifiedConnections dropped strangers
     * @param live                    the live-migration statistics
     * @param tls                     TLS
     * @param ownership               which side owns the memory
     * @param verifiedBy              what proved the memory intact
     */
    public MigrationStats(MigrationStatus status, long totalTimeMillis, long setupTimeMillis, long transferred,
                          long total, long remaining, double mbps, long normalPages, long duplicatePages,
                          long normalBytes, long dirtySyncCount, long dirtySyncMissedZeroCopy, long multifdBytes,
                          int pageSize, List<ChannelStats> channels, ZeroCopyStats zeroCopy,
                          String errorDescription, boolean verified, long unidentifiedConnections, LiveStats live,
                          TlsStats tls, Ownership ownership, VerifiedBy verifiedBy) {
        this(status, totalTimeMillis, setupTimeMillis, transferred, total, remaining, mbps, normalPages,
                duplicatePages, normalBytes, dirtySyncCount, dirtySyncMissedZeroCopy, multifdBytes, pageSize, channels,
                zeroCopy, errorDescription, verified, unidentifiedConnections, live, tls, ownership, verifiedBy, 0);
    }

    /**
     * The statistics as before {@code verifiedBy}: a verified migration is taken to have been verified by page
     * digests, as every verified one was then.
     *
     * @param status                  the status
     * @param totalTimeMillis         total time
     * @param setupTimeMillis         setup time
     * @param transferred             bytes on the wire
     * @param total                   bytes of RAM
     * @param remaining               bytes not yet moved
     * @param mbps                    throughput
     * @param normalPages             normal pages
     * @param duplicatePages          zero pages
     * @param normalBytes             bytes of normal pages
     * @param dirtySyncCount          rounds
     * @param dirtySyncMissedZeroCopy flushes that found every write copied
     * @param multifdBytes            bytes on the multifd channels
     * @param pageSize                the page size
     * @param channels                per channel
     * @param zeroCopy                zero-copy
     * @param errorDescription        the error or {@code null}
     * @param verified                whether the digests matched
     * @param unidentifiedConnections dropped strangers
     * @param live                    the live-migration statistics
     * @param tls                     TLS
     * @param ownership               which side owns the memory
     */
    public MigrationStats(MigrationStatus status, long totalTimeMillis, long setupTimeMillis, long transferred,
                          long total, long remaining, double mbps, long normalPages, long duplicatePages,
                          long normalBytes, long dirtySyncCount, long dirtySyncMissedZeroCopy, long multifdBytes,
                          int pageSize, List<ChannelStats> channels, ZeroCopyStats zeroCopy,
                          String errorDescription, boolean verified, long unidentifiedConnections, LiveStats live,
                          TlsStats tls, Ownership ownership) {
        this(status, totalTimeMillis, setupTimeMillis, transferred, total, remaining, mbps, normalPages,
                duplicatePages, normalBytes, dirtySyncCount, dirtySyncMissedZeroCopy, multifdBytes, pageSize, channels,
                zeroCopy, errorDescription, verified, unidentifiedConnections, live, tls, ownership,
                verified ? VerifiedBy.PAGE_DIGESTS : VerifiedBy.NONE);
    }

    /**
     * The statistics of a migration that has not switched over: the source owns the memory.
     *
     * @param status                  the status
     * @param totalTimeMillis         total time
     * @param setupTimeMillis         setup time
     * @param transferred             bytes on the wire
     * @param total                   bytes of RAM
     * @param remaining               bytes not yet moved
     * @param mbps                    throughput
     * @param normalPages             normal pages
     * @param duplicatePages          zero pages
     * @param normalBytes             bytes of normal pages
     * @param dirtySyncCount          rounds
     * @param dirtySyncMissedZeroCopy flushes that found every write copied
     * @param multifdBytes            bytes on the multifd channels
     * @param pageSize                the page size
     * @param channels                per channel
     * @param zeroCopy                zero-copy
     * @param errorDescription        the error or {@code null}
     * @param verified                whether the digests matched
     * @param unidentifiedConnections dropped strangers
     * @param live                    the live-migration statistics
     * @param tls                     TLS
     */
    public MigrationStats(MigrationStatus status, long totalTimeMillis, long setupTimeMillis, long transferred,
                          long total, long remaining, double mbps, long normalPages, long duplicatePages,
                          long normalBytes, long dirtySyncCount, long dirtySyncMissedZeroCopy, long multifdBytes,
                          int pageSize, List<ChannelStats> channels, ZeroCopyStats zeroCopy,
                          String errorDescription, boolean verified, long unidentifiedConnections, LiveStats live,
                          TlsStats tls) {
        this(status, totalTimeMillis, setupTimeMillis, transferred, total, remaining, mbps, normalPages,
                duplicatePages, normalBytes, dirtySyncCount, dirtySyncMissedZeroCopy, multifdBytes, pageSize, channels,
                zeroCopy, errorDescription, verified, unidentifiedConnections, live, tls, Ownership.SOURCE);
    }

    /**
     * The statistics of a migration over plain TCP.
     *
     * @param status                  the status
     * @param totalTimeMillis         total time
     * @param setupTimeMillis         setup time
     * @param transferred             bytes on the wire
     * @param total                   bytes of RAM
     * @param remaining               bytes not yet moved
     * @param mbps                    throughput
     * @param normalPages             normal pages
     * @param duplicatePages          zero pages
     * @param normalBytes             bytes of normal pages
     * @param dirtySyncCount          rounds
     * @param dirtySyncMissedZeroCopy flushes that found every write copied
     * @param multifdBytes            bytes on the multifd channels
     * @param pageSize                the page size
     * @param channels                per channel
     * @param zeroCopy                zero-copy
     * @param errorDescription        the error or {@code null}
     * @param verified                whether the digests matched
     * @param unidentifiedConnections dropped strangers
     * @param live                    the live-migration statistics
     */
    public MigrationStats(MigrationStatus status, long totalTimeMillis, long setupTimeMillis, long transferred,
                          long total, long remaining, double mbps, long normalPages, long duplicatePages,
                          long normalBytes, long dirtySyncCount, long dirtySyncMissedZeroCopy, long multifdBytes,
                          int pageSize, List<ChannelStats> channels, ZeroCopyStats zeroCopy,
                          String errorDescription, boolean verified, long unidentifiedConnections, LiveStats live) {
        this(status, totalTimeMillis, setupTimeMillis, transferred, total, remaining, mbps, normalPages,
                duplicatePages, normalBytes, dirtySyncCount, dirtySyncMissedZeroCopy, multifdBytes, pageSize, channels,
                zeroCopy, errorDescription, verified, unidentifiedConnections, live, TlsStats.OFF);
    }

    /**
     * The statistics of a migration that is not live (one round), as before live migration existed.
     *
     * @param status                  the status
     * @param totalTimeMillis         total time
     * @param setupTimeMillis         setup time
     * @param transferred             bytes on the wire
     * @param total                   bytes of RAM
     * @param remaining               bytes not yet moved
     * @param mbps                    throughput
     * @param normalPages             normal pages
     * @param duplicatePages          zero pages
     * @param normalBytes             bytes of normal pages
     * @param dirtySyncCount          rounds
     * @param dirtySyncMissedZeroCopy flushes that found every write copied
     * @param multifdBytes            bytes on the multifd channels
     * @param pageSize                the page size
     * @param channels                per channel
     * @param zeroCopy                zero-copy
     * @param errorDescription        the error or {@code null}
     * @param verified                whether the digests matched
     * @param unidentifiedConnections dropped strangers
     */
    public MigrationStats(MigrationStatus status, long totalTimeMillis, long setupTimeMillis, long transferred,
                          long total, long remaining, double mbps, long normalPages, long duplicatePages,
                          long normalBytes, long dirtySyncCount, long dirtySyncMissedZeroCopy, long multifdBytes,
                          int pageSize, List<ChannelStats> channels, ZeroCopyStats zeroCopy,
                          String errorDescription, boolean verified, long unidentifiedConnections) {
        this(status, totalTimeMillis, setupTimeMillis, transferred, total, remaining, mbps, normalPages,
                duplicatePages, normalBytes, dirtySyncCount, dirtySyncMissedZeroCopy, multifdBytes, pageSize, channels,
                zeroCopy, errorDescription, verified, unidentifiedConnections, LiveStats.notLive("not live"),
                TlsStats.OFF);
    }

    /**
     * Renders the statistics as one JSON object, with QEMU's {@code query-migrate} names where they exist:
     * {@code status}, {@code total-time}, {@code setup-time}, {@code write-protect-time} (this project's),
     * {@code ram} {...}, {@code zero-copy} {...},
     * {@code channels} [...], {@code verified} and {@code verified-by}, {@code ownership} and {@code error-desc}
     * (only when there is an error).
     *
     * @return the JSON text, on one line
     */
    public String toJson() {
        Map<String, Object> ram = new LinkedHashMap<>();
        ram.put("transferred", transferred);
        ram.put("total", total);
        ram.put("remaining", remaining);
        ram.put("mbps", mbps);
        ram.put("normal", normalPages);
        ram.put("normal-bytes", normalBytes);
        ram.put("duplicate", duplicatePages);
        ram.put("dirty-sync-count", dirtySyncCount);
        ram.put("dirty-sync-missed-zero-copy", dirtySyncMissedZeroCopy);
        ram.put("dirty-pages-rate", live.dirtyPagesRate());
        ram.put("multifd-bytes", multifdBytes);
        ram.put("page-size", pageSize);
        Map<String, Object> zero = new LinkedHashMap<>();
        zero.put("mode", zeroCopy.mode().jsonName());
        zero.put("provider", zeroCopy.provider());
        zero.put("active", zeroCopy.active());
        zero.put("sends", zeroCopy.sends());
        zero.put("copied", zeroCopy.copied());
        zero.put("enobufs-retries", zeroCopy.enobufsRetries());
        zero.put("copy-fallbacks", zeroCopy.copyFallbacks());
        zero.put("reason", zeroCopy.reason());
        List<Map<String, Object>> perChannel = new ArrayList<>();
        for (ChannelStats channel : channels) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", channel.id());
            entry.put("bytes", channel.bytes());
            entry.put("packets", channel.packets());
            entry.put("provider", channel.provider());
            entry.put("zero-copy", channel.zeroCopyActive());
            perChannel.add(entry);
        }
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("status", status.jsonName());
        document.put("ownership", ownership.jsonName());
        document.put("total-time", totalTimeMillis);
        document.put("setup-time", setupTimeMillis);
        document.put("write-protect-time", writeProtectTimeMillis);
        document.put("expected-downtime", live.expectedDowntimeMillis());
        document.put("downtime", live.downtimeMillis());
        document.put("cpu-throttle-percentage", live.cpuThrottlePercentage());
        document.put("ram", ram);
        document.put("zero-copy", zero);
        document.put("channels", perChannel);
        document.put("live", liveJson());
        document.put("verified", verified);
        document.put("verified-by", verifiedBy.jsonName());
        document.put("unidentified-connections", unidentifiedConnections);
        Map<String, Object> secure = new LinkedHashMap<>();
        secure.put("enabled", tls.enabled());
        if (tls.protocol() != null) {
            secure.put("protocol", tls.protocol());
            secure.put("cipher-suite", tls.cipherSuite());
        }
        if (tls.peerIdentity() != null) {
            secure.put("peer-identity", tls.peerIdentity());
        }
        document.put("tls", secure);
        if (errorDescription != null) {
            document.put("error-desc", errorDescription);
        }
        return Json.write(document);
    }

    private Map<String, Object> liveJson() {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("live", live.live());
        document.put("mode", live.mode());
        document.put("convergence", live.convergence());
        List<Map<String, Object>> trackers = new ArrayList<>();
        for (LiveStats.Tracker tracker : live.trackers()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("block", tracker.block());
            entry.put("tracker", tracker.tracker());
            entry.put("reason", tracker.reason());
            trackers.add(entry);
        }
        document.put("trackers", trackers);
        List<Map<String, Object>> rounds = new ArrayList<>();
        for (LiveStats.Round round : live.rounds()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("round", round.round());
            entry.put("pages-sent", round.pagesSent());
            entry.put("dirty-pages-found", round.dirtyPagesFound());
            entry.put("sync-time-us", round.syncMicros());
            entry.put("bytes-per-second", round.bytesPerSecond());
            rounds.add(entry);
        }
        document.put("rounds", rounds);
        LiveStats.DowntimePhases phases = live.downtimePhases();
        Map<String, Object> downtime = new LinkedHashMap<>();
        downtime.put("pause-hook", phases.pauseHookMicros());
        downtime.put("last-sync", phases.lastSyncMicros());
        downtime.put("last-round", phases.lastRoundMicros());
        downtime.put("complete", phases.completeMicros());
        downtime.put("result", phases.resultMicros());
        document.put("downtime-phases-us", downtime);
        return document;
    }
}
