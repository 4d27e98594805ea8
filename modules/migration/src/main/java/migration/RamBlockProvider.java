package migration;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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
     * Answers for a block the source hands over (maps its descriptor instead of copying its pages), at the
     * handshake, in place of {@link #blockFor}: where its memory will live, or that this provider takes no
     * handed-over memory. A destination without an arena for it refuses the source.
     *
     * @param name the block's name at the source
     * @param size the block's size at the source, in bytes
     * @return the arena that will own the mapping, or {@code null} if this provider takes no handed-over memory
     *         ({@link #anonymous(Arena)} takes it into its arena; the others take none)
     * @throws IOException if the block is refused here, as {@link #blockFor} refuses; the message is sent to the
     *                     source and ends the migration
     */
    default Arena handoverArena(String name, long size) throws IOException {
        return null;
    }

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
     * Allocates a fresh zero-filled block for every announced block (see {@link RamBlock#anonymous}); a block the
     * source hands over is mapped into the same arena instead ({@link #handoverArena(String, long)}).
     *
     * @param arena owns the memory; close it only after the destination has ended
     * @return the provider; memory the system cannot map ({@code mmap} refused) fails the migration with an
     *         {@link IOException} naming the block and its size, sent to the source
     */
    static RamBlockProvider anonymous(Arena arena) {
        Objects.requireNonNull(arena, "arena");
        return new RamBlockProvider() {
            @Override
            public RamBlock blockFor(String name, long size) throws IOException {
                try {
                    return RamBlock.anonymous(name, size, arena);
                } catch (OutOfMemoryError e) {
                    // PageMemory reports a refused mmap (ENOMEM: beyond memory, overcommit or address space) so.
                    throw new IOException("cannot allocate " + size + " bytes for ram block '" + name + "' here: "
                            + e.getMessage(), e);
                }
            }

            @Override
            public Arena handoverArena(String name, long size) {
                return arena;
            }
        };
    }

    /**
     * Receives a single-block source into one file, which changes only when the caller commits a migration that
     * succeeded: the block is written to a temporary file in the same directory and {@link RamBlockFile#commit()}
     * renames it onto {@code file}. A second announced block is refused. One receive per file: the temporary file
     * is locked while the receive runs, {@link RamBlockFile#claim()} removes those of receives that died and
     * refuses while another receive is writing the file.
     *
     * @param file  the file to write; an existing one stays as it was until {@code commit()}
     * @param arena owns the mapping; close it only after the destination has ended
     * @return the provider, which the caller commits or discards
     */
    static RamBlockFile file(Path file, Arena arena) {
        return new RamBlockFile(file, arena, false);
    }

    /**
     * Like {@link #file}, but an existing file of exactly the announced block's size is written in place: its
     * pages are mapped and reused, which spares allocating a new file's pages and freeing the old ones, and
     * gives up the atomic replace: a migration that fails part-way leaves the file partly overwritten
     * ({@link RamBlockFile#writtenInPlace()}). A missing file, or one of another size, goes through a temporary
     * file as with {@link #file} ({@link RamBlockFile#notInPlace()} says why), so a source never resizes the
     * caller's file in place. An existing file is locked for the receive, so no other receive writes it meanwhile.
     *
     * @param file  the file to write
     * @param arena owns the mapping; close it only after the destination has ended
     * @return the provider, which the caller commits or discards
     */
    static RamBlockFile fileInPlace(Path file, Arena arena) {
        return new RamBlockFile(file, arena, true);
    }
}
