package migration;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Supplies the destination's memory. During the handshake the destination calls {@link #blockFor} once for
 * each block the source announces, in the source's order, and receives the pages into the returned block.
 */
@FunctionalInterface
public interface RamBlockProvider {

    /**
     * Returns the memory for a block the source announced.
     *
     * @param name the block's name at the source
     * @param size the block's size at the source, in bytes
     * @return writable native memory of exactly {@code size} bytes
     * @throws IOException if there is no such block here or it cannot be made; the message is sent to the
     *                     source and ends the migration
     */
    RamBlock blockFor(String name, long size) throws IOException;

    /**
     * Receives into blocks the caller made; names and sizes must match the source's.
     *
     * @param blocks the destination's blocks, with distinct names
     * @return the provider; it fails with {@code "unknown ram block 'x'"} or
     *         {@code "ram block 'x' has size A at the destination but B at the source"}
     */
    static RamBlockProvider fixed(List<RamBlock> blocks) {
        Map<String, RamBlock> byName = new LinkedHashMap<>();
        for (RamBlock block : blocks) {
            if (byName.put(block.name(), block) != null) {
                throw new IllegalArgumentException("two ram blocks are named '" + block.name() + "'");
            }
        }
        return (name, size) -> {
            RamBlock block = byName.get(name);
            if (block == null) {
                throw new IOException("unknown ram block '" + name + "' (the destination has " + byName.keySet()
                        + ")");
            }
            if (block.size() != size) {
                throw new IOException("ram block '" + name + "' has size " + block.size()
                        + " at the destination but " + size + " at the source");
            }
            return block;
        };
    }

    /**
     * Allocates a fresh zero-filled block for every announced block (see {@link RamBlock#anonymous}).
     *
     * @param arena owns the memory; close it only after the destination has ended
     * @return the provider
     */
    static RamBlockProvider anonymous(Arena arena) {
        Objects.requireNonNull(arena, "arena");
        return (name, size) -> RamBlock.anonymous(name, size, arena);
    }

    /**
     * Receives a single-block source into one file: creates or truncates it to the announced size and maps it
     * read-write (see {@link RamBlock#mapFile}). A second announced block is refused.
     *
     * @param file  the file to write
     * @param arena owns the mapping
     * @return the provider
     */
    static RamBlockProvider file(Path file, Arena arena) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(arena, "arena");
        AtomicReference<String> first = new AtomicReference<>();
        return (name, size) -> {
            if (!first.compareAndSet(null, name)) {
                throw new IOException("the file destination " + file + " takes a single ram block, but the source"
                        + " announced '" + first.get() + "' and '" + name + "'");
            }
            return RamBlock.mapFile(name, file, size, true, arena);
        };
    }
}
