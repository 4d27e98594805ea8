package migration;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * <p><b>One receive per file.</b> {@link #claim()} (or the first {@link #blockFor}) takes the file for this
 * receive: it creates the temporary file and holds an exclusive lock on it ({@link FileChannel#tryLock}, a POSIX
 * record lock, which the kernel releases when the process ends however it ends) until {@link #commit()},
 * {@link #discard()} or {@link #close()}. It then looks at the file's siblings named as its temporary files are
 * ({@code .NAME.} and eight lowercase hex digits and {@code .partial}; regular files only, symbolic links are
 * never followed): one that no process holds was left by a receive that died (killed, out of memory, a power cut)
 * and is removed, and {@code claim()} returns it; one that is held belongs to a receive into the same file that is
 * running now, and {@code claim()} refuses. Nothing else in the directory is touched; a sibling that cannot be
 * opened or removed (another user's, in a shared directory) is left alone.
 *
 * <p>Typical use: {@code check()}, then {@code claim()} before listening, reporting what it removed; then
 * {@code destination.await()} returned completed and verified statistics, then {@code commit()}; on any failure,
 * {@code discard()} and tell the user what was removed. Close the arena that owns the mapping only after the
 * destination has ended.
 *
 * <p><b>In place</b> ({@link RamBlockProvider#fileInPlace}): the caller gives up the atomic replace for speed. When
 * the file exists with exactly the announced block's size, the block is the file itself, mapped read-write: its
 * pages are reused (no new page is allocated, nothing is freed by a rename), and a migration that fails part-way
 * leaves the file partly overwritten ({@link #writtenInPlace()} says so). A file of another size, or no file, is
 * received through a temporary file as above, so a source can never resize the caller's file in place. An existing
 * file is locked itself, from {@code claim()} on; a receive that finds the file locked refuses, in place or not.
 *
 * <p>POSIX record locks belong to the process, and closing <em>any</em> descriptor of a file releases all of the
 * process's locks on it (fcntl(2), "Advisory record locking"). So within this JVM, files that a
 * {@code RamBlockFile} holds are known and never opened by another one; code of the caller that opens and closes
 * the temporary file or (in place) the file while the receive runs gives up the lock that keeps other processes
 * out.
 */
public final class RamBlockFile implements RamBlockProvider, AutoCloseable {

    private static final String SUFFIX = ".partial";
    /** How many hex digits name a temporary file: those of a random {@code int} ({@link HexFormat#toHexDigits}). */
    private static final int RANDOM_DIGITS = 8;
    /** How many temporary file names {@link #createTemporary()} tries before it gives up. */
    private static final int CREATE_ATTEMPTS = 8;

    /**
     * The files that the {@code RamBlockFile}s of this JVM hold locked, by file key (device and inode), and the
     * monitor that every claim, scan and release holds, so two receives in one JVM never interleave theirs. A file
     * here is never opened by another one: closing that descriptor would release the holder's lock (see the class
     * comment). Guarded by itself.
     */
    private static final Map<Object, Path> HELD = new HashMap<>();

    /**
     * A temporary file that a receive into the same file left when it ended without removing it (killed, out of
     * memory, a power cut), and that {@link #claim()} removed: no process held it.
     *
     * @param file the temporary file, which no longer exists
     * @param size its size in bytes when it was removed
     */
    public record StaleCopy(Path file, long size) {
        /**
         * Creates the record.
         *
         * @param file the temporary file that was removed
         * @param size its size in bytes
         */
        public StaleCopy {
            Objects.requireNonNull(file, "file");
        }
    }

    private final Path file;
    private final Arena arena;
    private String blockName;
    private Path temporary;
    private RamBlock block;
    /**
     * The temporary file, open and locked from {@link #createTemporary()} until {@link #commit()} or
     * {@link #discard()}, or in place the file itself (then the same channel as {@link #held}); the receivers
     * write the pages through it.
     */
    private FileChannel writer;
    /** In place: the existing file, open and locked from {@link #claim()} until it ends, or {@code null}. */
    private FileChannel held;
    /** The file keys this one has put in {@link #HELD}. */
    private final List<Object> heldKeys = new ArrayList<>(2);
    private boolean claimed;
    /** Set by {@link #commit()} and {@link #discard()}: no block is made after either. */
    private boolean ended;
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
     * {@code /dev/null} or a FIFO, which cannot be mapped or renamed onto). Changes nothing: {@link #claim()}
     * comes next.
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
     * Takes the file for this receive, before a source connects: creates the (empty) temporary file and locks it,
     * or in place locks the existing file; then removes the temporary files of receives into the same file that
     * died, and refuses when another receive is writing the file now (see the class comment). A refusal leaves
     * nothing of this receive and removes nothing. {@link #blockFor} claims if the caller did not; a second call
     * does nothing.
     *
     * @return the stale temporary files it removed, in the directory's order; empty when there were none
     * @throws IOException           if another receive is writing the file (the message names the file and says
     *                               so), or the temporary file cannot be created
     * @throws IllegalStateException after {@link #commit()} or {@link #discard()}
     */
    public synchronized List<StaleCopy> claim() throws IOException {
        if (ended) {
            throw new IllegalStateException("the receive into " + file + " has ended");
        }
        if (claimed) {
            return List.of();
        }
        synchronized (HELD) {
            try {
                // Each receive takes its own claim first and looks for the others' after: of two that start at
                // once, the later one to claim always sees the earlier one's.
                boolean exists = Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS);
                if (!(inPlace && exists && lockFile())) {
                    createTemporary();
                    if (exists) {
                        refuseIfFileLocked();
                    }
                }
                List<StaleCopy> removed = removeStaleCopies();
                claimed = true;
                return removed;
            } catch (IOException | RuntimeException e) {
                try {
                    release();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        }
    }

    /**
     * In place: opens the existing file and locks it for this receive, or refuses when another holds it.
     *
     * @return whether it did; {@code false} when the file is gone
     */
    private boolean lockFile() throws IOException {
        Object key = key(file);
        if (key == null) {
            return false;
        }
        if (HELD.containsKey(key)) {
            throw lockedFile();
        }
        FileChannel opened = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS);
        try {
            if (tryLock(opened, false) == null) {
                throw lockedFile();
            }
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
        held = opened;
        hold(key, file);
        return true;
    }

    /**
     * Not in place: refuses when a receive in place holds the existing file. A shared lock is enough to see an
     * exclusive one, and needs only a descriptor open for reading.
     */
    private void refuseIfFileLocked() throws IOException {
        Object key = key(file);
        if (key == null) {
            return;
        }
        if (HELD.containsKey(key)) {
            throw lockedFile();
        }
        FileChannel probe;
        try {
            probe = FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (FileSystemException e) {
            return; // gone, or not readable by this user: the rename onto it needs neither
        }
        try (probe) {
            if (tryLock(probe, true) == null) {
                throw lockedFile();
            }
        }
    }

    private IOException lockedFile() {
        return new IOException("another receive is writing " + file + " in place (the file is locked)");
    }

    /**
     * Creates the temporary file, empty, and locks it. The lock comes a moment after the file: a receive starting
     * in another process may find it unlocked in between and take it for a dead receive's. This one then finds
     * its file locked by that one or already removed, and tries another name.
     */
    private void createTemporary() throws IOException {
        Path directory = file.getParent();
        for (int attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
            Path candidate = directory.resolve("." + file.getFileName() + "."
                    + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()) + SUFFIX);
            // CREATE_NEW: never follows or reuses what someone else put there; the mode follows the umask. The
            // channel stays open: it holds the lock, and the receivers write the pages through it (see
            // RamBlock.mapNewFile).
            FileChannel created;
            try {
                created = FileChannel.open(candidate, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                continue;
            }
            Object key;
            try {
                key = tryLock(created, false) == null ? null : key(candidate);
            } catch (IOException | RuntimeException e) {
                created.close();
                Files.deleteIfExists(candidate);
                throw e;
            }
            if (key == null) {
                created.close();
                Files.deleteIfExists(candidate);
                continue;
            }
            temporary = candidate;
            writer = created;
            hold(key, candidate);
            return;
        }
        throw new IOException("cannot create a temporary file for " + file + ": " + CREATE_ATTEMPTS + " were"
                + " removed or locked by receives into it starting at the same time");
    }

    /**
     * Removes the temporary files of dead receives into the file, or refuses (removing none) when one is held. Each
     * is locked (shared) before it is removed, so a receive that is creating it cannot lock it after.
     */
    private List<StaleCopy> removeStaleCopies() throws IOException {
        String prefix = "." + file.getFileName() + ".";
        List<Path> named = new ArrayList<>();
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(file.getParent(),
                sibling -> isTemporaryName(prefix, sibling.getFileName().toString()))) {
            siblings.forEach(named::add);
        }
        // Each stale one, locked until it is removed.
        Map<Path, FileChannel> stale = new LinkedHashMap<>();
        try {
            for (Path sibling : named) {
                if (sibling.equals(temporary)) {
                    continue;
                }
                BasicFileAttributes attributes;
                try {
                    attributes = Files.readAttributes(sibling, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    continue;
                }
                if (!attributes.isRegularFile()) {
                    continue; // a symbolic link, a directory, a FIFO: not a temporary file of ours
                }
                if (HELD.containsKey(key(attributes, sibling))) {
                    throw lockedTemporary(sibling);
                }
                FileChannel probe;
                try {
                    probe = FileChannel.open(sibling, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
                } catch (FileSystemException e) {
                    continue; // removed meanwhile, another user's that this one cannot read, or now a link
                }
                stale.put(sibling, probe);
                if (tryLock(probe, true) == null) {
                    throw lockedTemporary(sibling);
                }
            }
            List<StaleCopy> removed = new ArrayList<>();
            for (Map.Entry<Path, FileChannel> copy : stale.entrySet()) {
                long size = copy.getValue().size();
                try {
                    Files.delete(copy.getKey());
                    removed.add(new StaleCopy(copy.getKey(), size));
                } catch (FileSystemException e) {
                    // Removed by a receive starting at the same time, or not this user's to remove (sticky
                    // directory): left alone.
                }
            }
            return List.copyOf(removed);
        } finally {
            for (FileChannel probe : stale.values()) {
                probe.close();
            }
        }
    }

    private IOException lockedTemporary(Path sibling) {
        return new IOException("another receive is writing " + file + " (its temporary file " + sibling
                + " is locked)");
    }

    /** {@return whether {@code name} is that of a temporary file: prefix, eight lowercase hex digits, suffix} */
    private static boolean isTemporaryName(String prefix, String name) {
        if (name.length() != prefix.length() + RANDOM_DIGITS + SUFFIX.length() || !name.startsWith(prefix)
                || !name.endsWith(SUFFIX)) {
            return false;
        }
        for (int i = prefix.length(); i < prefix.length() + RANDOM_DIGITS; i++) {
            char c = name.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@return the lock, or {@code null} when another process holds a conflicting one, or another channel of this
     * JVM an overlapping one}
     */
    private static FileLock tryLock(FileChannel channel, boolean shared) throws IOException {
        try {
            return channel.tryLock(0, Long.MAX_VALUE, shared);
        } catch (OverlappingFileLockException e) {
            return null;
        }
    }

    /** {@return the file's key (device and inode), or {@code null} if it does not exist} */
    private static Object key(Path path) throws IOException {
        try {
            return key(Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS), path);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static Object key(BasicFileAttributes attributes, Path path) {
        Object key = attributes.fileKey();
        return key != null ? key : path;
    }

    private void hold(Object key, Path path) {
        HELD.put(key, path);
        heldKeys.add(key);
    }

    /**
     * Gives up this receive's claim: removes the temporary file while it is still locked (a receive starting
     * meanwhile never takes it for a dead one's), then closes the channels and forgets their keys.
     */
    private void release() throws IOException {
        synchronized (HELD) {
            try {
                if (temporary != null) {
                    Files.deleteIfExists(temporary);
                    temporary = null;
                }
            } finally {
                closeChannels();
            }
        }
    }

    /** Closes the channels, which releases their locks, and forgets their keys. Idempotent. */
    private void closeChannels() throws IOException {
        synchronized (HELD) {
            FileChannel open = writer;
            FileChannel inPlaceFile = held;
            writer = null;
            held = null;
            for (Object key : heldKeys) {
                HELD.remove(key);
            }
            heldKeys.clear();
            try {
                if (open != null) {
                    open.close();
                }
            } finally {
                if (inPlaceFile != null) {
                    inPlaceFile.close();
                }
            }
        }
    }

    /**
     * Claims the file if {@link #claim()} was not called (what that removes is not reported then), and maps the
     * block: in place, the file itself; otherwise the temporary file, sized to the announced block. A second
     * announced block is refused.
     */
    @Override
    public synchronized RamBlock blockFor(String name, long size) throws IOException {
        if (ended) {
            throw new IOException("the receive into " + file + " has ended");
        }
        if (blockName != null) {
            throw new IOException("the file destination " + file + " takes a single ram block, but the source"
                    + " announced '" + blockName + "' and '" + name + "'");
        }
        claim();
        blockName = name;
        if (inPlace) {
            if (held != null && held.size() == size) {
                block = RamBlock.mapExistingFile(name, file, held, size, arena);
                writer = held;
                writtenInPlace = true;
                return block;
            }
            notInPlace = held == null ? file + " does not exist"
                    : file + " holds " + held.size() + " bytes and the source's block " + size;
        }
        if (temporary == null) {
            synchronized (HELD) {
                createTemporary();
            }
        }
        Path created = temporary;
        try {
            copyPermissions();
            block = RamBlock.mapNewFile(name, created, writer, size, arena);
            return block;
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            try {
                release();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            if (e instanceof OutOfMemoryError) {
                throw new IOException("cannot map " + size + " bytes of " + created + ": " + e.getMessage(), e);
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
     * the file in one step, and syncs the directory so the rename survives a crash; then releases the lock. Call it
     * only once the migration completed and the digests were verified.
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
            committed = true;
            ended = true;
            closeChannels();
            return;
        }
        if (block == null || temporary == null) {
            throw new IllegalStateException("nothing received into " + file + " to commit");
        }
        // msync(2): writes back the file's dirty pages in the range, those written through the channel too.
        block.memory().force();
        // Renamed while still locked: unlocked, a receive starting now could take it for a dead one's and remove it.
        try {
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + temporary + " onto " + file + ": " + e.getMessage(), e);
        }
        temporary = null;
        committed = true;
        ended = true;
        closeChannels();
        try (FileChannel directory = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            directory.force(true);
        } catch (IOException e) {
            // Some file systems cannot sync a directory; the rename itself has happened.
        }
    }

    /**
     * {@return the channel of the file the block is received into (the temporary file, or in place the file
     * itself), for a receiver that writes whole runs at their offsets ({@code pwrite}) instead of through the
     * mapping, as the destination's channel threads do; {@code null} before {@link #blockFor}} It stays open, and
     * this object's, until {@link #commit()} or {@link #discard()}: do not close it.
     */
    public synchronized FileChannel writer() {
        return block == null ? null : writer;
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
     * Removes the temporary file of a migration that did not succeed and releases the lock; the file stays as it
     * was. Idempotent, and a no-op after {@link #commit()}; when the block was written in place (see
     * {@link #writtenInPlace()}) it only releases the lock. No block is made after it.
     *
     * @return the temporary file that was removed, or {@code null} if no block had been received into one (no
     *         source got as far as announcing its block, or it was written in place) or it was committed
     * @throws IOException if it cannot be removed; the message names it. The lock is released all the same
     */
    public synchronized Path discard() throws IOException {
        ended = true;
        Path removed = temporary;
        try {
            release();
        } catch (IOException e) {
            throw new IOException("cannot remove the incomplete copy " + removed + ": " + e.getMessage(), e);
        }
        return block != null ? removed : null;
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
