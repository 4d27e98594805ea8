package io.channel.memory;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * Memory that can be handed to another process on the same host without copying it: a shared mapping of a file
 * in memory (a {@code memfd}, or a file on {@code tmpfs} or {@code hugetlbfs}) together with an open descriptor of
 * that file, which a Unix domain socket can pass to the other process ({@code SCM_RIGHTS}, {@code man 7 unix}).
 * The other process maps the same pages: nothing is copied, whatever the size.
 *
 * <p>Made by a {@link MemoryProvider} that {@linkplain MemoryProvider#handoverUnavailabilityCause() can}: with
 * {@link MemoryProvider#allocateForHandover} (a new {@code memfd}, sealed against shrinking and growing) or
 * {@link MemoryProvider#declareForHandover} (an existing shared mapping of a file). The arena given there owns
 * the mapping and the descriptor: closing it unmaps the memory and closes the descriptor, once.
 *
 * @param memory     the mapping, {@code MAP_SHARED}, readable and writable
 * @param descriptor the open file descriptor of the file {@code memory} maps from offset 0; valid while the arena
 *                   that owns the memory is open
 * @param fileSize   the file's size in bytes: at least {@code memory.byteSize()}, more where the file is sized in
 *                   whole pages (a {@code hugetlbfs} file in whole huge pages)
 * @param sealed     whether the file is sealed against shrinking and growing ({@code F_SEAL_SHRINK},
 *                   {@code F_SEAL_GROW} and {@code F_SEAL_SEAL}, {@code man 2 fcntl}, "File Sealing"), as a
 *                   {@code memfd} made here is; a file on {@code tmpfs} cannot be sealed, so another process of
 *                   the same user could still change its size
 */
public record HandoverMemory(MemorySegment memory, int descriptor, long fileSize, boolean sealed) {

    /**
     * Checks the parts.
     *
     * @throws IllegalArgumentException if the memory is not native, the descriptor is negative or the file is
     *                                  smaller than the memory
     */
    public HandoverMemory {
        Objects.requireNonNull(memory, "memory");
        if (!memory.isNative()) {
            throw new IllegalArgumentException("memory that can be handed over must be a native mapping, but got a"
                    + " heap segment");
        }
        if (descriptor < 0) {
            throw new IllegalArgumentException("descriptor must not be negative: " + descriptor);
        }
        if (fileSize < memory.byteSize()) {
            throw new IllegalArgumentException("the file (" + fileSize + " bytes) must hold the whole mapping ("
                    + memory.byteSize() + " bytes)");
        }
    }
}
