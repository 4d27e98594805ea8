package migration;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.HexFormat;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A destination file for a single-block migration that changes nothing on disk until the caller says the migration
 * succeeded (see {@link RamBlockProvider#file}). The block is received into a new temporary file in the same
 * directory ({@code .NAME.<random>.partial}); {@link #commit()} renames it onto the file, atomically, once the
 * caller has seen the migration complete with verified digests. Until then an existing file keeps its content and
 * size: a stranger's HELLO, a failed or a cancelled migration leave it as it was, and {@link #discard()} (or
 * {@link #close()}) removes the temporary file.
 *
 * <p>Typical use: {@code destination.await()} returned completed and verified statistics, then {@code commit()};
 * on any failure, {@code discard()} and tell the user what was removed. Close the arena that owns the mapping only
 * after the destination has ended.
 *
 * <p><b>In place</b> ({@link RamBlockProvider#fileInPlace}): the caller gives up the atomic replace for speed. When
 * the file exists with exactly the announced block's size, the block is the file itself, mapped read-write: its
 * pages are reused (no new page is allocated, nothing is freed by a rename), and a migration that fails part-way
 * leaves the file partly overwritten ({@link #writtenInPlace()} says so). A file of another size, or no file, is
 * received through a temporary file as above, so a source can never resize the caller's file in place.
 */
public final class RamBlockFile implements RamBlockProvider, AutoCloseable {

    private static final String SUFFIX = ".partial";

    private final Path file;
    private final Arena arena;
    private String blockName;
    private Path temporary;
    private RamBlock block;
    /**
     * The file the receivers write: the temporary file, or in place the file itself; open from {@link #blockFor}
     * until {@link #commit()} or {@link #discard()}.
     */
    private FileChannel writer;
    private boolean committed;
    /** Whether an existing file of the block's size may be written in place. */
    private final boolean inPlace;
    /** Whether the block is the file itself, mapped read-write (in place). */
    private boolean writtenInPlace;
    /** Why an in-place request went through a temporary file instead, or {@code null}. */
    private String notInPlace;

    RamBlockFile(Path file, Arena arena, boolean inPlace) {
        this.file = Objects.requireNonNull(file, "file").toAbsolutePath().normalize();
        this.arena = Objects.requireNonNull(arena, "arena");
        this.inPlace = inPlace;
    }

    /** {@return the file that {@link #commit()} writes} */
    public Path file() {
        return file;
    }

    /**
     * Checks what can be checked before a source arrives: the directory exists, is a directory and can be written
     * (not on a read-only file system), and the file, if it exists, is a regular file (not a directory,
     * {@code /dev/null} or a FIFO, which cannot be mapped or renamed onto). Changes nothing.
     *
     * @throws IOException saying what is wrong with which path
     */
    public void check() throws IOException {
        Path directory = file.getParent();
        if (directory == null || !Files.exists(directory)) {
            throw new IOException("no such directory: " + directory);
        }
        if (!Files.isDirectory(directory)) {
            throw new IOException(directory + " is not a directory");
        }
        if (Files.isDirectory(file)) {
            throw new IOException(file + " is a directory");
        }
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(file + " is not a regular file (a device, a FIFO, a socket or a symbolic link),"
                    + " and the received block is renamed onto it");
        }
        FileStore store = Files.getFileStore(directory);
        if (store.isReadOnly()) {
            throw new IOException(directory + " is on a read-only file system (" + store + ")");
        }
        // access(2) with W_OK: also refused on a read-only mount for root, who passes every permission check.
        if (!Files.isWritable(directory)) {
            throw new IOException("cannot write in " + directory + " (permission denied)");
        }
        if (inPlace && Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isWritable(file)) {
            throw new IOException("cannot write " + file + " in place (permission denied)");
        }
    }

    /**
     * Creates the temporary file, sizes it to the announced block and maps it read-write. A second announced block
     * is refused.
     */
    @Override
    public synchronized RamBlock blockFor(String name, long size) throws IOException {
        if (blockName != null) {
            throw new IOException("the file destination " + file + " takes a single ram block, but the source"
                    + " announced '" + blockName + "' and '" + name + "'");
        }
        blockName = name;
        if (inPlace) {
            long existing = Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Files.size(file) : -1;
            if (existing == size) {
                FileChannel opened = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                try {
                    block = RamBlock.mapExistingFile(name, file, opened, size, arena);
                } catch (IOException | RuntimeException e) {
                    opened.close();
                    throw e;
                }
                writer = opened;
                writtenInPlace = true;
                return block;
            }
            notInPlace = existing < 0 ? file + " does not exist"
                    : file + " holds " + existing + " bytes and the source's block " + size;
        }
        Path directory = file.getParent();
        Path candidate = directory.resolve("." + file.getFileName() + "."
                + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + SUFFIX);
        // CREATE_NEW: never follows or reuses what someone else put there; the mode follows the umask. The channel
        // stays open: the receivers write the pages through it (see RamBlock.mapNewFile).
        FileChannel created = FileChannel.open(candidate, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        temporary = candidate;
        try {
            copyPermissions();
            block = RamBlock.mapNewFile(name, candidate, created, size, arena);
            writer = created;
            return block;
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            created.close();
            Files.deleteIfExists(candidate);
            temporary = null;
            if (e instanceof OutOfMemoryError) {
                throw new IOException("cannot map " + size + " bytes of " + candidate + ": " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** An existing file's permission bits carry over to the file that replaces it. */
    private void copyPermissions() throws IOException {
        PosixFileAttributeView from = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        PosixFileAttributeView to = Files.getFileAttributeView(temporary, PosixFileAttributeView.class);
        if (from != null && to != null && Files.isRegularFile(file)) {
            to.setPermissions(from.readAttributes().permissions());
        }
    }

    /**
     * Makes the received block the file: writes the mapping back ({@code msync}), renames the temporary file onto
     * the file in one step, and syncs the directory so the rename survives a crash. Call it only once the
     * migration completed and the digests were verified.
     *
     * @throws IOException           if writing back or renaming fails; the temporary file is left for
     *                               {@link #discard()}
     * @throws IllegalStateException if no block was received, or after {@link #discard()}
     */
    public synchronized void commit() throws IOException {
        if (block != null && writtenInPlace) {
            if (committed) {
                return;
            }
            // msync(2) of the mapping (zero pages are written through it), then fsync(2) of the pages written
            // through the channel.
            block.memory().force();
            writer.force(true);
            closeWriter();
            committed = true;
            return;
        }
        if (block == null || temporary == null) {
            throw new IllegalStateException("nothing received into " + file + " to commit");
        }
        // msync(2): writes back the file's dirty pages in the range, those written through the channel too.
        block.memory().force();
        closeWriter();
        try {
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + temporary + " onto " + file + ": " + e.getMessage(), e);
        }
        temporary = null;
        committed = true;
        try (FileChannel directory = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException e) {
            // Some file systems cannot sync a directory; the rename itself has happened.
        }
    }

    private void closeWriter() throws IOException {
        FileChannel open = writer;
        writer = null;
        if (open != null) {
            open.close();
        }
    }

    /**
     * {@return whether the block was written into the file itself (in place): until {@link #commit()}, a migration
     * that ended without success has left the file partly overwritten}
     */
    public synchronized boolean writtenInPlace() {
        return writtenInPlace;
    }

    /**
     * {@return why an in-place receive went through a temporary file (the file did not exist, or its size differed
     * from the block's), or {@code null} when it did not (in place, or in place was not asked for, or no block was
     * announced)}
     */
    public synchronized String notInPlace() {
        return notInPlace;
    }

    /** {@return whether {@link #commit()} has made the received block the file} */
    public synchronized boolean committed() {
        return committed;
    }

    /**
     * Removes the temporary file of a migration that did not succeed; the file stays as it was. Idempotent, and a
     * no-op after {@link #commit()}, and when the block was written in place (see {@link #writtenInPlace()}).
     *
     * @return the temporary file that was removed, or {@code null} if none had been created (no source got as far
     *         as announcing its block) or it was committed
     * @throws IOException if it cannot be removed; the message names it
     */
    public synchronized Path discard() throws IOException {
        Path removed = temporary;
        if (removed == null) {
            closeWriter();
            return null;
        }
        try {
            closeWriter();
            Files.deleteIfExists(removed);
        } catch (IOException e) {
            throw new IOException("cannot remove the incomplete copy " + removed + ": " + e.getMessage(), e);
        }
        temporary = null;
        return removed;
    }

    /** Like {@link #discard()}, ignoring a failure to remove. */
    @Override
    public void close() {
        try {
            discard();
        } catch (IOException e) {
            // Best effort: callers that must report it call discard() themselves.
        }
    }
}
