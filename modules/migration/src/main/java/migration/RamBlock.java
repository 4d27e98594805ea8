package migration;

import io.channel.memory.HandoverMemory;
import io.channel.memory.PageMemory;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.Optional;
import migration.protocol.PeerText;

/**
 * A named block of memory to migrate: the "guest RAM" of a migration. Its memory is a native
 * {@link MemorySegment} owned by the caller, who must keep its arena open until the migration's
 * {@code await()} or {@code close()} has returned.
 *
 * <p>The memory must be accessible by every thread (a shared, automatic or global arena, or a mapping owned by
 * one): the migration reads and writes it on its own threads, so a confined arena is refused here, at once.
 *
 * <p>The source only ever reads a block's memory (zero-copy writes hand its pages to the kernel, which is why
 * the memory must stay valid until the migration has ended). The destination writes pages into it. Pages are
 * {@value MigrationProtocol#PAGE_SIZE} bytes; a size that is not a multiple of that ends in a short page.
 */
public final class RamBlock {

    /** A thread that owns no arena, to ask a segment whether threads other than its owner may access it. */
    private static final Thread ANOTHER_THREAD = Thread.ofVirtual().unstarted(() -> { });

    private final String name;
    private final MemorySegment memory;
    private final boolean knownZero;
    /** The file {@code memory} maps, for the destination to write pages to; {@code null} for other blocks. */
    private final FileChannel file;
    /** The memory with the descriptor that hands it to another process; {@code null} for other blocks. */
    private final HandoverMemory handover;

    private RamBlock(String name, MemorySegment memory, boolean knownZero) {
        this(name, memory, knownZero, null, null);
    }

    private RamBlock(String name, MemorySegment memory, boolean knownZero, FileChannel file) {
        this(name, memory, knownZero, file, null);
    }

    private RamBlock(String name, MemorySegment memory, boolean knownZero, FileChannel file,
                     HandoverMemory handover) {
        this.name = checkName(name);
        Objects.requireNonNull(memory, "memory");
        if (!memory.isNative()) {
            throw new IllegalArgumentException("ram block '" + name + "' must be native memory (heap arrays can"
                    + " move under a zero-copy write), but got a heap segment");
        }
        if (!memory.isAccessibleBy(ANOTHER_THREAD)) {
            throw new IllegalArgumentException("ram block '" + name + "' must be memory every thread can access (the"
                    + " migration reads and writes it on its own threads), but its arena is confined to thread "
                    + owner(memory) + "; allocate or map it with Arena.ofShared(), Arena.ofAuto() or Arena.global()");
        }
        this.memory = memory;
        this.knownZero = knownZero;
        this.file = file;
        this.handover = handover;
    }

    /**
     * Wraps memory the caller owns.
     *
     * @param name   the block's name, 1 to 255 bytes of UTF-8, without control or invisible characters
     * @param memory native memory; at the destination it must be writable
     * @return the block
     * @throws IllegalArgumentException if the name is empty or too long, or the memory is on the heap or
     *                                  confined to one thread
     */
    public static RamBlock of(String name, MemorySegment memory) {
        return new RamBlock(name, memory, false);
    }

    /**
     * Allocates a zero-filled block owned by an arena, for a destination that receives into fresh memory.
     *
     * <p>The memory comes from {@link PageMemory#allocate}: with the Linux provider ({@code io.channel.linux}) a
     * fresh anonymous mapping that is not touched until data arrives;
     * elsewhere {@code Arena.allocate}, which zero-fills it. Either way it reads as zero, and the destination
     * relies on that to skip writing zero pages it has not received before.
     *
     * @param name  the block's name
     * @param size  bytes, not negative
     * @param arena owns the memory; shared, automatic or global, not confined
     * @return the block
     */
    public static RamBlock anonymous(String name, long size, Arena arena) {
        // No huge pages: first touch of fresh transparent huge pages costs the receivers several times the CPU of
        // 4 KiB pages (docs/benchmarks/2026-11-26-loopback-huge-pages.md).
        return anonymous(name, size, false, arena);
    }

    /**
     * Like {@link #anonymous(String, long, Arena)}, choosing whether to ask for transparent huge pages: memory that
     * the application uses after the migration with fewer TLB misses, at a higher cost of first touch while the
     * pages arrive. A hint: where the provider or the kernel has none, the block has pages of the usual size.
     *
     * @param name      the block's name
     * @param size      bytes, not negative
     * @param hugePages whether to ask for transparent huge pages
     * @param arena     owns the memory; shared, automatic or global, not confined
     * @return the block
     */
    public static RamBlock anonymous(String name, long size, boolean hugePages, Arena arena) {
        checkName(name);
        if (size < 0) {
            throw new IllegalArgumentException("ram block '" + name + "': size must not be negative: " + size);
        }
        Objects.requireNonNull(arena, "arena");
        // io.channel.memory.PageMemory: untouched anonymous memory where the Linux provider is present, Arena.allocate
        // elsewhere; both read as zero.
        return new RamBlock(name, PageMemory.allocate(Math.max(size, 1), hugePages, arena).asSlice(0, size), true);
    }

    /**
     * Allocates a zero-filled block that can be handed to a successor process on this host without copying it: a
     * file in memory ({@code memfd}, sealed against shrinking and growing) mapped shared, from the memory provider
     * in use ({@link PageMemory#allocateForHandover}). A migration over a Unix domain socket passes its descriptor
     * instead of its pages.
     *
     * @param name  the block's name (also the {@code memfd}'s, as {@code /proc/PID/fd} shows it)
     * @param size  bytes, not negative
     * @param arena owns the memory and its descriptor; shared, automatic or global, not confined
     * @return the block
     * @throws IOException                   if the system refuses the memory; the message names the call
     * @throws UnsupportedOperationException if the memory provider in use cannot make such memory (the portable
     *                                       one cannot), saying why
     */
    public static RamBlock memfd(String name, long size, Arena arena) throws IOException {
        checkName(name);
        if (size < 0) {
            throw new IllegalArgumentException("ram block '" + name + "': size must not be negative: " + size);
        }
        Objects.requireNonNull(arena, "arena");
        HandoverMemory memory = PageMemory.allocateForHandover(name, Math.max(size, 1), false, arena);
        return new RamBlock(name, memory.memory().asSlice(0, size), true, null, memory);
    }

    /**
     * Wraps memory that can be handed to a successor process (see {@link io.channel.memory.MemoryProvider}'s
     * {@code allocateForHandover} and {@code declareForHandover}); all of it is the block.
     *
     * @param name   the block's name
     * @param memory the memory and its descriptor
     * @return the block
     */
    public static RamBlock of(String name, HandoverMemory memory) {
        Objects.requireNonNull(memory, "memory");
        return new RamBlock(name, memory.memory(), false, null, memory);
    }

    /**
     * Refuses a destination file that cannot hold the block: the file is sized sparsely and written through a
     * mapping, and a write fault on a full file system cannot be reported as an I/O error (it is a SIGBUS), so
     * the space is checked before a byte arrives. Bytes the file already holds count as present.
     */
    private static void ensureSpace(String name, Path file, long size) throws IOException {
        Path absolute = file.toAbsolutePath();
        long existing = Files.isRegularFile(absolute) ? Files.size(absolute) : 0;
        long needed = size - Math.min(existing, size);
        if (needed == 0) {
            return;
        }
        Path parent = absolute.getParent();
        FileStore store = Files.getFileStore(parent != null ? parent : absolute);
        long usable = store.getUsableSpace();
        if (usable < needed) {
            throw new IOException("not enough space for ram block '" + name + "' in " + file + ": it needs " + needed
                    + " more bytes, but the file system " + store + " has " + usable + " usable");
        }
    }

    /**
     * Maps a file as a block: read-only for a source, read-write for a destination.
     *
     * <p>For a source ({@code writable == false}) the file must hold at least {@code size} bytes; its first
     * {@code size} bytes are mapped. For a destination the file is created if missing and its length set to
     * exactly {@code size} (extending a file leaves a sparse hole).
     *
     * @param name     the block's name
     * @param file     the file
     * @param size     bytes to map
     * @param writable whether to map for writing (destination) or reading (source)
     * @param arena    owns the mapping (shared, automatic or global, not confined); closing it unmaps the file
     * @return the block
     * @throws IOException if the file cannot be opened, sized or mapped; the message names the file
     */
    public static RamBlock mapFile(String name, Path file, long size, boolean writable, Arena arena)
            throws IOException {
        checkName(name);
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(arena, "arena");
        if (size < 0) {
            throw new IllegalArgumentException("ram block '" + name + "': size must not be negative: " + size);
        }
        if (writable) {
            ensureSpace(name, file, size);
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(size);
            } catch (IOException e) {
                throw new IOException("cannot create or size " + file + " to " + size + " bytes: " + e.getMessage(),
                        e);
            }
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                return new RamBlock(name, channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena), false);
            } catch (IOException e) {
                throw new IOException("cannot map " + file + " for writing: " + e.getMessage(), e);
            }
        }
        long held;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            held = channel.size();
            if (held >= size) {
                return new RamBlock(name, channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena), false);
            }
        } catch (IOException e) {
            throw new IOException("cannot map " + file + " for reading: " + e.getMessage(), e);
        }
        throw new IOException("cannot map " + size + " bytes of " + file + ": it holds only " + held + " bytes");
    }

    /**
     * Maps a file the caller has just created, empty, as a destination block that the receivers write through
     * {@code channel} ({@code pwrite}) rather than through the mapping (see {@link RamBlockFile}): sizes it to
     * {@code size} bytes, which read as zero, and maps it read-write. The block is known zero. The caller owns
     * {@code channel} and closes it once the destination has ended.
     *
     * @param name    the block's name
     * @param file    the file, for messages and the space check
     * @param channel the file, open for reading and writing, empty
     * @param size    bytes
     * @param arena   owns the mapping
     * @return the block
     * @throws IOException if the file cannot be sized or mapped; the message names the file
     */
    static RamBlock mapNewFile(String name, Path file, FileChannel channel, long size, Arena arena)
            throws IOException {
        checkName(name);
        if (size < 0) {
            throw new IllegalArgumentException("ram block '" + name + "': size must not be negative: " + size);
        }
        ensureSpace(name, file, size);
        try {
            if (size > 0) {
                // A file is extended by writing its last byte; what lies before it is a hole that reads as zero.
                ByteBuffer last = ByteBuffer.allocate(1);
                while (last.hasRemaining()) {
                    channel.write(last, size - 1);
                }
            }
        } catch (IOException e) {
            throw new IOException("cannot size " + file + " to " + size + " bytes: " + e.getMessage(), e);
        }
        try {
            return new RamBlock(name, channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena), true, channel);
        } catch (IOException e) {
            throw new IOException("cannot map " + file + " for writing: " + e.getMessage(), e);
        }
    }

    /**
     * Maps a file the caller has opened, which already holds exactly {@code size} bytes, as a destination block that
     * the receivers write in place through {@code channel} ({@code pwrite}): the file's existing pages are reused.
     * Written through the file rather than the mapping because a shared mapping takes a fault per page even where
     * the page exists, and populating it ahead costs as much (more than a {@code pwrite} into those pages; see
     * {@code docs/design/receiving-into-a-file.md}); and a full file system makes a {@code pwrite} into a hole fail
     * with
     * {@code ENOSPC} where a write through the mapping would raise SIGBUS. The block is not known zero.
     *
     * @param name    the block's name
     * @param file    the file, for messages
     * @param channel the file, open for reading and writing; the caller closes it once the destination has ended
     * @param size    bytes, the file's size
     * @param arena   owns the mapping
     * @return the block
     * @throws IOException if the file cannot be mapped; the message names it
     */
    static RamBlock mapExistingFile(String name, Path file, FileChannel channel, long size, Arena arena)
            throws IOException {
        checkName(name);
        try {
            return new RamBlock(name, channel.map(FileChannel.MapMode.READ_WRITE, 0, size, arena), false, channel);
        } catch (IOException e) {
            throw new IOException("cannot map " + file + " for writing: " + e.getMessage(), e);
        }
    }

    /** {@return the name of the thread a confined segment belongs to, for messages} */
    private static String owner(MemorySegment memory) {
        Thread current = Thread.currentThread();
        return memory.isAccessibleBy(current) ? "'" + current.getName() + "'" : "other than this one";
    }

    /** {@return the block's name} */
    public String name() {
        return name;
    }

    /** {@return the block's memory} */
    public MemorySegment memory() {
        return memory;
    }

    /** {@return the block's size in bytes} */
    public long size() {
        return memory.byteSize();
    }

    /**
     * {@return the memory with the descriptor that hands it to another process, if the block was made so
     * ({@link #memfd}, {@link #of(String, HandoverMemory)})}
     */
    public Optional<HandoverMemory> handoverMemory() {
        return Optional.ofNullable(handover);
    }

    /** {@return whether the memory is known to be all zero because it was freshly allocated} */
    boolean knownZero() {
        return knownZero;
    }

    /** {@return the file the memory maps, for the destination to write pages to, or {@code null}} */
    FileChannel file() {
        return file;
    }

    @Override
    public String toString() {
        return "RamBlock['" + name + "', " + size() + " bytes" + (handover != null ? ", can be handed over" : "")
                + "]";
    }

    private static String checkName(String name) {
        Objects.requireNonNull(name, "name");
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes < 1 || bytes > MigrationProtocol.MAX_BLOCK_NAME_BYTES) {
            throw new IllegalArgumentException("a ram block name must be 1 to "
                    + MigrationProtocol.MAX_BLOCK_NAME_BYTES + " bytes of UTF-8, but '" + name + "' has " + bytes);
        }
        if (name.codePoints().anyMatch(PeerText::unsafe)) {
            throw new IllegalArgumentException("a ram block name must not contain control or invisible characters,"
                    + " but " + PeerText.quote(name) + " does");
        }
        return name;
    }
}
