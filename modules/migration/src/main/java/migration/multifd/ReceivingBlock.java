package migration.multifd;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import migration.MigrationProtocol;

/**
 * A destination block as the receivers see it.
 *
 * @param name      the block's name
 * @param memory    where its pages go
 * @param knownZero whether the memory was all zero before the migration (fresh anonymous memory), so a
 *                  zero page not received before needs no write
 * @param received  which pages arrived so far
 */
public record ReceivingBlock(String name, MemorySegment memory, boolean knownZero, PageBitmap received) {

    /**
     * Checks the components.
     *
     * @throws NullPointerException if one is null
     */
    public ReceivingBlock {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(received, "received");
    }

    /**
     * {@return a block with an empty received-bitmap}
     * @param name      the name
     * @param memory    the memory
     * @param knownZero whether the memory is known to be zero
     */
    public static ReceivingBlock of(String name, MemorySegment memory, boolean knownZero) {
        return new ReceivingBlock(name, memory, knownZero,
                new PageBitmap(MigrationProtocol.pageCount(memory.byteSize())));
    }
}
