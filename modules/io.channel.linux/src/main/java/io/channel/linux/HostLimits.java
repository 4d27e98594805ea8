package io.channel.linux;

import io.channel.linux.internal.Syscalls;
import io.channel.linux.internal.gen.resource_h;
import io.channel.linux.internal.gen.rlimit;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The host limits that decide how much zero-copy sending can pin ({@code Documentation/networking/msg_zerocopy.rst},
 * "Transmission": {@code ENOBUFS} once the socket exceeds its optmem limit or the user its locked-pages ulimit;
 * the charge is made by {@code mm_account_pinned_pages} in {@code net/core/skbuff.c}):
 * {@code RLIMIT_MEMLOCK} (each {@code sendmsg(MSG_ZEROCOPY)} charges {@code floor(len/4096) + 2} pages to the
 * user's locked memory and fails with {@code ENOBUFS} above the limit, unless the process has
 * {@code CAP_IPC_LOCK}), and {@code net.core.optmem_max} (each in-flight completion record costs about 832
 * bytes of option memory).
 *
 * @param memlockSoft   soft {@code RLIMIT_MEMLOCK} in bytes, {@link #UNLIMITED}, or {@link #UNKNOWN}
 * @param memlockHard   hard {@code RLIMIT_MEMLOCK} in bytes, {@link #UNLIMITED}, or {@link #UNKNOWN}
 * @param optmemMax     {@code net.core.optmem_max} in bytes, or {@link #UNKNOWN}
 * @param ipcLockExempt whether the process has {@code CAP_IPC_LOCK} in its effective set (then memlock is
 *                      not enforced), {@code null} if unknown
 */
record HostLimits(long memlockSoft, long memlockHard, long optmemMax, Boolean ipcLockExempt) {

    /** A limit that does not apply. */
    static final long UNLIMITED = Long.MAX_VALUE;
    /** A value that could not be read. */
    static final long UNKNOWN = -1;

    /** The page size the memlock charge is counted in (x86_64). */
    private static final long PAGE = 4096;
    /** Extra pages charged per zero-copy send (measured: {@code floor(len/4096) + 2}). */
    private static final long EXTRA_PAGES = 2;
    /** Option memory per in-flight completion record, measured with {@code SO_MEMINFO}. */
    private static final long RECORD_BYTES = 832;
    /** {@code CAP_IPC_LOCK} in {@code linux/capability.h}. */
    private static final int CAP_IPC_LOCK = 14;

    private static final Path OPTMEM_MAX = Path.of("/proc/sys/net/core/optmem_max");
    private static final Path STATUS = Path.of("/proc/self/status");

    /**
     * Reads the limits of this process now.
     *
     * @param syscalls for {@code getrlimit}, or {@code null} when native access is not available
     * @return the limits; values that could not be read are {@link #UNKNOWN}
     */
    static HostLimits read(Syscalls syscalls) {
        long soft = UNKNOWN;
        long hard = UNKNOWN;
        if (syscalls != null) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment limit = rlimit.allocate(arena);
                if (syscalls.getrlimit(resource_h.RLIMIT_MEMLOCK(), limit) == 0) {
                    soft = bytes(rlimit.rlim_cur(limit));
                    hard = bytes(rlimit.rlim_max(limit));
                }
            }
        }
        return new HostLimits(soft, hard, readOptmemMax(), readIpcLock());
    }

    private static long bytes(long rlim) {
        // rlim_t is unsigned; RLIM_INFINITY is all ones, -1 as a signed long (sys/resource.h).
        return rlim == resource_h.RLIM_INFINITY() || rlim < 0 ? UNLIMITED : rlim;
    }

    private static long readOptmemMax() {
        try {
            // Not Files.readString: procfs reports size 0 and JDK 25 then returns a truncated string ("1").
            List<String> lines = Files.readAllLines(OPTMEM_MAX);
            return lines.isEmpty() ? UNKNOWN : Long.parseLong(lines.getFirst().strip());
        } catch (IOException | NumberFormatException | SecurityException e) {
            return UNKNOWN;
        }
    }

    private static Boolean readIpcLock() {
        try {
            List<String> lines = Files.readAllLines(STATUS);
            for (String line : lines) {
                if (line.startsWith("CapEff:")) {
                    long effective = Long.parseUnsignedLong(line.substring("CapEff:".length()).strip(), 16);
                    return (effective & (1L << CAP_IPC_LOCK)) != 0;
                }
            }
            return null;
        } catch (IOException | NumberFormatException | SecurityException e) {
            return null;
        }
    }

    /**
     * {@return the largest single zero-copy send the memlock limit allows with nothing else pinned, in bytes,
     * rounded down to whole pages: {@code (floor(memlock/4096) - 2) * 4096}; {@link #UNLIMITED} if exempt or
     * unlimited, {@link #UNKNOWN} if unknown}
     */
    long maxZeroCopySend() {
        if (Boolean.TRUE.equals(ipcLockExempt) || memlockSoft == UNLIMITED) {
            return UNLIMITED;
        }
        if (memlockSoft == UNKNOWN) {
            return UNKNOWN;
        }
        return Math.max(0, (memlockSoft / PAGE - EXTRA_PAGES) * PAGE);
    }

    /** {@return about how many completion records {@code optmem_max} allows in flight, or {@link #UNKNOWN}} */
    long maxRecordsInFlight() {
        return optmemMax == UNKNOWN ? UNKNOWN : optmemMax / RECORD_BYTES;
    }

    /** {@return the facts as stable dash-separated keys and human-readable values} */
    Map<String, String> describe() {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("rlimit-memlock", text(memlockSoft) + " (soft), " + text(memlockHard) + " (hard)");
        facts.put("optmem-max", text(optmemMax));
        facts.put("ipc-lock-exempt", ipcLockExempt == null ? "unknown"
                : ipcLockExempt ? "yes (CAP_IPC_LOCK: memlock not enforced)" : "no");
        long send = maxZeroCopySend();
        facts.put("max-zero-copy-send", send == UNLIMITED ? "unlimited" : text(send)
                + " (larger sends get ENOBUFS: copied, or an error where zero-copy is required)");
        long records = maxRecordsInFlight();
        facts.put("max-records-in-flight", records == UNKNOWN ? "unknown"
                : "about " + records + " (optmem_max / " + RECORD_BYTES + " bytes per record)");
        return facts;
    }

    /** {@return one line naming both limits, for error and log messages} */
    String summary() {
        return "RLIMIT_MEMLOCK " + text(memlockSoft) + " (soft; hard " + text(memlockHard) + "), net.core.optmem_max "
                + text(optmemMax) + ", CAP_IPC_LOCK " + (ipcLockExempt == null ? "unknown" : ipcLockExempt ? "yes" : "no");
    }

    private static String text(long bytes) {
        if (bytes == UNLIMITED) {
            return "unlimited";
        }
        if (bytes == UNKNOWN) {
            return "unknown";
        }
        return bytes + " bytes";
    }
}
