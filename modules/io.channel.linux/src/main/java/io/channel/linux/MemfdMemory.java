package io.channel.linux;

import io.channel.linux.internal.Syscalls;
import io.channel.linux.internal.gen.fcntl_h;
import io.channel.linux.internal.gen.memfd_h;
import io.channel.linux.internal.gen.mman_h;
import io.channel.linux.internal.gen.stat;
import io.channel.memory.HandoverMemory;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Memory that can be handed to another process ({@link HandoverMemory}) on Linux: a new {@code memfd}
 * ({@code man 2 memfd_create}) sealed against shrinking and growing ({@code man 2 fcntl}, "File Sealing"), or an
 * existing shared mapping of a file on {@code tmpfs} or {@code hugetlbfs}, checked against
 * {@code /proc/self/maps}.
 *
 * <p>Why sealed: a process that maps a file another process can truncate takes a {@code SIGBUS} on the first access
 * past the new end. With {@code F_SEAL_SHRINK} and {@code F_SEAL_GROW} the size is fixed for everyone, and
 * {@code F_SEAL_SEAL} keeps anyone from removing or adding seals, so the receiver can trust the size it checks.
 */
final class MemfdMemory {

    /** memfd_create(2): "The name ... is limited to 249 bytes, excluding the terminating null byte." */
    private static final int MAX_NAME_BYTES = 249;
    private static final long PAGE = 4096;
    /** The default huge page size of x86_64, which {@code MFD_HUGETLB} without a size flag uses. */
    private static final long HUGE_PAGE = 2L << 20;

    /** The seals every {@code memfd} made here carries. */
    static int sizeSeals() {
        return memfd_h.F_SEAL_SHRINK() | memfd_h.F_SEAL_GROW() | memfd_h.F_SEAL_SEAL();
    }

    private MemfdMemory() {
    }

    /**
     * Makes, sizes, seals and maps a new {@code memfd} (see {@link LinuxMemoryProvider#allocateForHandover}).
     *
     * @param sys       the system calls
     * @param name      the file's name, cut to 249 bytes of UTF-8
     * @param byteSize  bytes, at least 1
     * @param hugePages whether to use {@code MFD_HUGETLB}
     * @param arena     owns the mapping and the descriptor
     * @return the memory
     * @throws IOException naming the call that failed
     */
    static HandoverMemory allocate(Syscalls sys, String name, long byteSize, boolean hugePages, Arena arena)
            throws IOException {
        if (byteSize < 1) {
            throw new IllegalArgumentException("byteSize must be >= 1: " + byteSize);
        }
        String shown = cut(name);
        int flags = memfd_h.MFD_CLOEXEC() | memfd_h.MFD_ALLOW_SEALING() | (hugePages ? memfd_h.MFD_HUGETLB() : 0);
        int fd;
        try (Arena scratch = Arena.ofConfined()) {
            fd = sys.memfdCreate(scratch.allocateFrom(shown), flags);
        }
        String what = "memfd '" + shown + "'";
        if (fd < 0) {
            throw new IOException("memfd_create(\"" + shown + "\", MFD_CLOEXEC|MFD_ALLOW_SEALING"
                    + (hugePages ? "|MFD_HUGETLB" : "") + ") failed: " + sys.errors().strerror(-fd));
        }
        long length = roundUp(byteSize, hugePages ? HUGE_PAGE : PAGE);
        long address = -1;
        try {
            check(sys, sys.ftruncate(fd, length), what + ": ftruncate(" + length + ")"
                    + (hugePages ? " (are there enough free huge pages? /proc/sys/vm/nr_hugepages)" : ""));
            check(sys, sys.fcntl(fd, memfd_h.F_ADD_SEALS(), sizeSeals()),
                    what + ": fcntl(F_ADD_SEALS, F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_SEAL)");
            address = sys.mmap(length, mman_h.PROT_READ() | mman_h.PROT_WRITE(), mman_h.MAP_SHARED(), fd, 0);
            if (address < 0 && address >= -4095) {
                long failed = address;
                address = -1;
                throw new IOException(what + ": mmap(" + length + " bytes, MAP_SHARED) failed: "
                        + sys.errors().strerror((int) -failed));
            }
            return new HandoverMemory(owned(sys, address, length, byteSize, fd, arena), fd, length, true);
        } catch (IOException | RuntimeException | Error e) {
            // Nothing owns the descriptor or the mapping yet: release both here.
            if (address != -1) {
                sys.munmap(address, length);
            }
            sys.close(fd);
            throw e;
        }
    }

    /**
     * Opens the file an existing shared mapping maps and checks the two belong together (see
     * {@link LinuxMemoryProvider#declareForHandover}).
     *
     * @param sys     the system calls
     * @param mapping the mapping
     * @param file    the file
     * @param arena   owns the descriptor opened here
     * @param maps    the text of {@code /proc/self/maps}, read after the mapping was made
     * @return the memory
     * @throws IOException naming the file and what is wrong
     */
    static HandoverMemory declare(Syscalls sys, MemorySegment mapping, Path file, Arena arena, String maps)
            throws IOException {
        if (!mapping.isNative() || mapping.byteSize() == 0) {
            throw new IllegalArgumentException("a mapping to hand over must be native and not empty: " + mapping);
        }
        int fd;
        try (Arena scratch = Arena.ofConfined()) {
            fd = sys.open(scratch.allocateFrom(file.toString()), fcntl_h.O_RDWR() | fcntl_h.O_CLOEXEC());
        }
        if (fd < 0) {
            throw new IOException("cannot open " + file + " to hand it over: open(O_RDWR) failed: "
                    + sys.errors().strerror(-fd));
        }
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment status = scratch.allocate(stat.layout());
            check(sys, sys.fstat(fd, status), file + ": fstat");
            if ((stat.st_mode(status) & memfd_h.S_IFMT()) != memfd_h.S_IFREG()) {
                throw new IOException(file + " cannot be handed over: it is not a regular file");
            }
            int seals = sys.fcntl(fd, memfd_h.F_GET_SEALS(), 0);
            if (seals < 0) {
                throw new IOException(file + " cannot be handed over: it is not a file in memory (tmpfs or"
                        + " hugetlbfs), fcntl(F_GET_SEALS) failed: " + sys.errors().strerror(-seals));
            }
            ProcMaps entry = ProcMaps.holding(maps, mapping.address());
            if (entry == null || !entry.maps(stat.st_dev(status), stat.st_ino(status))) {
                throw new IOException("the mapping at 0x" + Long.toHexString(mapping.address()) + " does not map "
                        + file + (entry == null ? "" : " (it maps '" + entry.path() + "', inode " + entry.inode()
                        + ")"));
            }
            if (!entry.shared()) {
                throw new IOException("the mapping of " + file + " at 0x" + Long.toHexString(mapping.address())
                        + " is private (MAP_PRIVATE): another process would not see its writes; map it shared"
                        + " (FileChannel.MapMode.READ_WRITE)");
            }
            long offset = entry.fileOffsetOf(mapping.address());
            if (offset != 0) {
                throw new IOException("the mapping of " + file + " starts at offset " + offset + " of the file, not"
                        + " at 0");
            }
            long fileSize = stat.st_size(status);
            if (fileSize < mapping.byteSize()) {
                throw new IOException(file + " holds " + fileSize + " bytes, fewer than its mapping ("
                        + mapping.byteSize() + ")");
            }
            int size = memfd_h.F_SEAL_SHRINK() | memfd_h.F_SEAL_GROW();
            MemorySegment owned = mapping.reinterpret(arena, ignored -> closeOnce(sys, fd));
            return new HandoverMemory(owned, fd, fileSize, (seals & size) == size);
        } catch (IOException | RuntimeException | Error e) {
            sys.close(fd);
            throw e;
        }
    }

    /**
     * Checks and maps a descriptor another process handed over (see {@link LinuxMemoryProvider#mapHandedOver}).
     * Owns {@code fd} from the call on: the arena on success, closed here on failure.
     *
     * @param sys      the system calls
     * @param fd       the received descriptor
     * @param byteSize the memory's size, at least 1
     * @param fileSize the file's size as announced
     * @param sizeSealed whether the size seals were announced
     * @param arena    owns the mapping and the descriptor
     * @return the memory
     * @throws IOException naming what is wrong; nothing is mapped then
     */
    static HandoverMemory map(Syscalls sys, int fd, long byteSize, long fileSize, boolean sizeSealed,
                              Arena arena)
            throws IOException {
        long address = -1;
        long length = fileSize;
        try (Arena scratch = Arena.ofConfined()) {
            if (byteSize < 1 || fileSize < byteSize) {
                throw new IOException("the announced file of " + fileSize + " bytes cannot hold " + byteSize
                        + " bytes");
            }
            MemorySegment status = scratch.allocate(stat.layout());
            check(sys, sys.fstat(fd, status), "descriptor " + fd + ": fstat");
            if ((stat.st_mode(status) & memfd_h.S_IFMT()) != memfd_h.S_IFREG()) {
                throw new IOException("the descriptor is not a regular file (st_mode 0" + Integer.toOctalString(
                        stat.st_mode(status)) + ")");
            }
            int seals = sys.fcntl(fd, memfd_h.F_GET_SEALS(), 0);
            if (seals < 0) {
                throw new IOException("the descriptor is not a file in memory (memfd, tmpfs or hugetlbfs):"
                        + " fcntl(F_GET_SEALS) failed: " + sys.errors().strerror(-seals));
            }
            long actual = stat.st_size(status);
            if (actual != fileSize) {
                throw new IOException("the descriptor's file holds " + actual + " bytes, but " + fileSize
                        + " were announced");
            }
            if (sizeSealed && (seals & sizeSeals()) != sizeSeals()) {
                throw new IOException("the descriptor's file was announced sealed, but its seals are "
                        + describeSeals(seals) + ", not F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_SEAL");
            }
            address = sys.mmap(length, mman_h.PROT_READ() | mman_h.PROT_WRITE(), mman_h.MAP_SHARED(), fd, 0);
            if (address < 0 && address >= -4095) {
                long failed = address;
                address = -1;
                throw new IOException("mmap(" + length + " bytes, MAP_SHARED) of the descriptor failed: "
                        + sys.errors().strerror((int) -failed));
            }
            return new HandoverMemory(owned(sys, address, length, byteSize, fd, arena), fd, fileSize,
                    (seals & sizeSeals()) == sizeSeals());
        } catch (IOException | RuntimeException | Error e) {
            if (address != -1) {
                sys.munmap(address, length);
            }
            sys.close(fd);
            throw e;
        }
    }

    /** {@return seals as their names, for messages} */
    static String describeSeals(int seals) {
        StringBuilder text = new StringBuilder();
        String[] names = {"F_SEAL_SEAL", "F_SEAL_SHRINK", "F_SEAL_GROW", "F_SEAL_WRITE"};
        int[] bits = {memfd_h.F_SEAL_SEAL(), memfd_h.F_SEAL_SHRINK(), memfd_h.F_SEAL_GROW(), memfd_h.F_SEAL_WRITE()};
        for (int i = 0; i < bits.length; i++) {
            if ((seals & bits[i]) != 0) {
                text.append(text.isEmpty() ? "" : "|").append(names[i]);
            }
        }
        return text.isEmpty() ? "none" : text.toString();
    }

    /**
     * Write-protects a range ({@code mprotect(PROT_READ)}).
     *
     * @param sys    the system calls
     * @param memory the range, widened to whole pages
     * @throws IOException if mprotect fails
     */
    static void writeProtect(Syscalls sys, MemorySegment memory) throws IOException {
        if (memory.byteSize() == 0) {
            return;
        }
        long start = memory.address() & -PAGE;
        long end = roundUp(memory.address() + memory.byteSize(), PAGE);
        check(sys, sys.mprotect(start, end - start, mman_h.PROT_READ()),
                "mprotect(0x" + Long.toHexString(start) + ", " + (end - start) + ", PROT_READ)");
    }

    /** {@return {@code /proc/self/maps}} */
    static String procSelfMaps() throws IOException {
        return Files.readString(Path.of("/proc/self/maps"), StandardCharsets.US_ASCII);
    }

    private static MemorySegment owned(Syscalls sys, long address, long length, long byteSize, int fd, Arena arena) {
        return MemorySegment.ofAddress(address).reinterpret(byteSize, arena, segment -> {
            int r = sys.munmap(address, length);
            closeOnce(sys, fd);
            if (r != 0) {
                // Only on a bug (a bad range): never leave it silent.
                throw new IllegalStateException("munmap(" + Long.toHexString(address) + ", " + length
                        + ") failed: " + sys.errors().strerror(-r));
            }
        });
    }

    /** Closes a descriptor the arena owns; the arena runs this once. */
    private static void closeOnce(Syscalls sys, int fd) {
        int r = sys.close(fd);
        if (r != 0) {
            throw new IllegalStateException("close(" + fd + ") failed: " + sys.errors().strerror(-r));
        }
    }

    private static void check(Syscalls sys, int result, String what) throws IOException {
        if (result < 0) {
            throw new IOException(what + " failed: " + sys.errors().strerror(-result));
        }
    }

    /** Cuts a name to what memfd_create(2) takes, at a character boundary. */
    static String cut(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_NAME_BYTES) {
            return name;
        }
        int end = name.length();
        while (name.substring(0, end).getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
            end = name.offsetByCodePoints(end, -1);
        }
        return name.substring(0, end);
    }

    private static long roundUp(long value, long multiple) {
        return (value + multiple - 1) & -multiple;
    }
}
