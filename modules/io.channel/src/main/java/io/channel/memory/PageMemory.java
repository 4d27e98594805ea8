package io.channel.memory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Memory to migrate into, from the {@link MemoryProvider} that {@link MemoryProviders#select()} chooses (once per
 * JVM; {@value MemoryProviders#PROVIDER_PROPERTY} can name it): on Linux (module
 * {@code io.channel.linux}) fresh anonymous mappings that are not touched until written, optionally backed by
 * transparent huge pages, and populated ahead of use; elsewhere {@link Arena#allocate}.
 */
public final class PageMemory {

    /** The choice, once made; a failed choice is not kept, so every call reports it with its cause. */
    private static volatile MemoryProvider chosen;

    private PageMemory() {
    }

    /**
     * {@return the provider in use: the one named by {@value MemoryProviders#PROVIDER_PROPERTY}, else the available
     * one with the highest priority}
     * @throws IllegalStateException         if the property names no known provider
     * @throws UnsupportedOperationException if the property names an unavailable provider (with its cause)
     */
    public static MemoryProvider provider() {
        MemoryProvider provider = chosen;
        if (provider == null) {
            // Two threads may both choose here; they choose the same provider, and the log line is said once.
            provider = MemoryProviders.select().chosen();
            chosen = provider;
        }
        return provider;
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

    /**
     * Allocates zeroed memory that can be handed to another process, from the provider in use
     * ({@link MemoryProvider#allocateForHandover}).
     *
     * @param name      a name for the memory's file
     * @param byteSize  the size in bytes, at least 1
     * @param hugePages whether to back it with huge pages
     * @param arena     owns the mapping and its descriptor
     * @return the memory and its descriptor
     * @throws IOException                   if the system refuses; the message names the call
     * @throws UnsupportedOperationException if the provider in use cannot, saying why
     */
    public static HandoverMemory allocateForHandover(String name, long byteSize, boolean hugePages, Arena arena)
            throws IOException {
        if (byteSize < 1) {
            throw new IllegalArgumentException("byteSize must be >= 1: " + byteSize);
        }
        return provider().allocateForHandover(name, byteSize, hugePages, arena);
    }
}
