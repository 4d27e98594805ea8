package io.channel;

import io.channel.spi.MemoryProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Comparator;
import java.util.ServiceLoader;

/**
 * Memory to migrate into, from the best available {@link MemoryProvider}: on Linux (module
 * {@code io.channel.linux}) fresh anonymous mappings that are not touched until written, optionally backed by
 * transparent huge pages, and populated ahead of use; elsewhere {@link Arena#allocate}.
 */
public final class PageMemory {

    private PageMemory() {
    }

    /** {@return the provider in use: the available one with the highest priority} */
    public static MemoryProvider provider() {
        return Holder.CHOSEN;
    }

    /**
     * Allocates zeroed, page-aligned memory owned by {@code arena}.
     *
     * @param byteSize  the size in bytes
     * @param hugePages whether to ask for transparent huge pages
     * @param arena     the owner
     * @return the memory
     */
    public static MemorySegment allocate(long byteSize, boolean hugePages, Arena arena) {
        if (byteSize < 1) {
            throw new IllegalArgumentException("byteSize must be >= 1: " + byteSize);
        }
        return provider().allocate(byteSize, hugePages, arena);
    }

    /**
     * Faults a range in for writing, ahead of its use; content is unchanged.
     *
     * @param segment the range
     * @return whether anything was done
     */
    public static boolean populate(MemorySegment segment) {
        return segment.byteSize() > 0 && provider().populate(segment);
    }

    private static final class Holder {
        static final MemoryProvider CHOSEN = ServiceLoader.load(MemoryProvider.class,
                        PageMemory.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get)
                .filter(MemoryProvider::isAvailable)
                .max(Comparator.comparingInt(MemoryProvider::priority))
                .orElseThrow();
    }
}
