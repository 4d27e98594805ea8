package io.channel.linux;

/**
 * The line of {@code /proc/self/maps} that holds an address, parsed: which file a mapping maps, from which offset,
 * and whether it is shared. A pure function of the file's text, so that it is tested without a kernel.
 *
 * <p>The format is {@code proc(5)}, "/proc/pid/maps": {@code start-end perms offset dev inode path}, addresses
 * and offset in hexadecimal, perms four characters of which the last is {@code s} for a shared mapping and
 * {@code p} for a private one.
 *
 * @param start  the mapping's first address
 * @param end    the address past its last byte
 * @param shared whether it is {@code MAP_SHARED}
 * @param offset the file offset at {@code start}
 * @param major  the major number of the mapped file's device
 * @param minor  the minor number of the mapped file's device
 * @param inode  the mapped file's inode, 0 for anonymous memory
 * @param path   the mapped file's path as the kernel shows it, possibly empty
 */
record ProcMaps(long start, long end, boolean shared, long offset, int major, int minor, long inode, String path) {

    /**
     * Finds the mapping that holds {@code address}.
     *
     * @param maps    the text of {@code /proc/self/maps}
     * @param address the address
     * @return the mapping, or {@code null} if no line holds the address
     * @throws IllegalArgumentException if a line is not in the format above
     */
    static ProcMaps holding(String maps, long address) {
        for (String line : maps.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            ProcMaps entry = parse(line);
            if (Long.compareUnsigned(entry.start, address) <= 0 && Long.compareUnsigned(address, entry.end) < 0) {
                return entry;
            }
        }
        return null;
    }

    /**
     * {@return the file offset that {@code address}, inside this mapping, maps}
     *
     * @param address an address in {@code [start, end)}
     */
    long fileOffsetOf(long address) {
        return offset + (address - start);
    }

    /**
     * {@return whether this mapping maps the file of {@code st_dev} and {@code st_ino}}
     *
     * @param device the file's {@code st_dev}, as glibc encodes it ({@code makedev(3)}: {@code gnu_dev_major},
     *               {@code gnu_dev_minor} in {@code sys/sysmacros.h})
     * @param inode  the file's {@code st_ino}
     */
    boolean maps(long device, long inode) {
        long deviceMajor = ((device >>> 8) & 0xfff) | ((device >>> 32) & 0xffff_f000L);
        long deviceMinor = (device & 0xff) | ((device >>> 12) & 0xffff_ff00L);
        return this.inode == inode && major == deviceMajor && minor == deviceMinor;
    }

    private static ProcMaps parse(String line) {
        String[] fields = line.trim().split("\\s+", 6);
        if (fields.length < 5) {
            throw new IllegalArgumentException("/proc/self/maps: a line with fewer than 5 fields: '" + line + "'");
        }
        int dash = fields[0].indexOf('-');
        int colon = fields[3].indexOf(':');
        if (dash < 0 || fields[1].length() != 4 || colon < 0) {
            throw new IllegalArgumentException("/proc/self/maps: not 'start-end perms ...': '" + line + "'");
        }
        try {
            return new ProcMaps(Long.parseUnsignedLong(fields[0], 0, dash, 16),
                    Long.parseUnsignedLong(fields[0], dash + 1, fields[0].length(), 16),
                    fields[1].charAt(3) == 's', Long.parseUnsignedLong(fields[2], 16),
                    Integer.parseInt(fields[3], 0, colon, 16),
                    Integer.parseInt(fields[3], colon + 1, fields[3].length(), 16), Long.parseLong(fields[4]),
                    fields.length > 5 ? fields[5].trim() : "");
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("/proc/self/maps: a malformed number in '" + line + "'", e);
        }
    }
}
