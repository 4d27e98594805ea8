package io.channel.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads this process's {@code /proc/self/smaps} (Documentation/filesystems/proc.rst), for tests. */
final class Smaps {

    private Smaps() {
    }

    /**
     * {@return a field, in kilobytes, of the mapping that starts at {@code address}}
     * @param address the mapping's first byte
     * @param field   the field's name, for example {@code "Rss"} or {@code "AnonHugePages"}
     * @throws IOException if smaps cannot be read
     */
    static long kib(long address, String field) throws IOException {
        String start = Long.toHexString(address) + "-";
        List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(start)) {
                for (int j = i + 1; j < lines.size(); j++) {
                    if (lines.get(j).startsWith(field + ":")) {
                        return Long.parseLong(lines.get(j).replaceAll("[^0-9]", ""));
                    }
                }
            }
        }
        throw new AssertionError("no mapping starts at " + start);
    }
}
