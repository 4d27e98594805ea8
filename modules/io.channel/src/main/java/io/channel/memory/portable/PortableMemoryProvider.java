package io.channel.memory.portable;

import io.channel.memory.MemoryProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The portable {@link MemoryProvider}, named {@value #NAME}: {@link Arena#allocate(long, long)} with page alignment. The JDK zeroes
 * what it allocates, so every page is touched at allocation; {@link #populate} has nothing to do. It cannot make
 * memory that can be handed to another process ({@link #handoverUnavailabilityCause()} says why).
 */
public final class PortableMemoryProvider implements MemoryProvider {

    /** The provider's name, for {@code -Dio.channel.memory.provider=portable}. */
    public static final String NAME = "portable";

    /** The page size this provider aligns to. */
    private static final long PAGE = 4096;

    /** Creates the provider; used by {@link java.util.ServiceLoader}. */
    public PortableMemoryProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public Throwable unavailabilityCause() {
        return null;
    }

    @Override
    public MemorySegment allocate(long byteSize, boolean hugePages, Arena arena) {
        return arena.allocate(byteSize, PAGE);
    }

    @Override
    public boolean allocatesUntouched() {
        return false;
    }

    @Override
    public boolean populate(MemorySegment segment) {
        return false;
    }

    /**
     * {@inheritDoc} Always: memory from {@link Arena#allocate} belongs to this process alone and has no descriptor
     * another process could map.
     */
    @Override
    public Throwable handoverUnavailabilityCause() {
        return new UnsupportedOperationException("memory provider '" + NAME + "' cannot make memory that can be"
                + " handed to another process: it allocates with Arena.allocate, which only this process can map;"
                + " handover needs a file in memory (memfd), made by memory provider 'linux' (module"
                + " io.channel.linux on Linux)");
    }
}
