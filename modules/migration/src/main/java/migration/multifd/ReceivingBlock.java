package migration.multifd;

import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
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
 * @param digest    where the receivers record each arrived page's CRC32C and which the destination folds into
 *                  the block's CRC32C as rounds arrive, or {@code null} when not verifying
 * @param file      the file that {@code memory} maps, open for writing, when the receivers are to write the
 *                  pages' bytes to it ({@code pwrite}) rather than through the mapping; else {@code null}
 */
public record ReceivingBlock(String name, MemorySegment memory, boolean knownZero, PageBitmap received,
                             IncrementalBlockDigest digest, FileChannel file) {

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
     * @param verify    whether to record page digests
     * @param file      the file {@code memory} maps, to write the pages to, or {@code null}
     */
    public static ReceivingBlock of(String name, MemorySegment memory, boolean knownZero, boolean verify,
                                    FileChannel file) {
        return new ReceivingBlock(name, memory, knownZero,
                new PageBitmap(MigrationProtocol.pageCount(memory.byteSize())),
                verify ? new IncrementalBlockDigest(memory.byteSize()) : null, file);
    }

    /**
     * {@return the CRC32C of the block's contents} Folds what the receivers recorded since the last
     * {@link IncrementalBlockDigest#foldChanges()}; pages that never arrived are read from memory. Call after every
     * receiver has stopped writing.
     *
     * @throws IllegalStateException if the block records no digests
     */
    public int crc32c() {
        if (digest == null) {
            throw new IllegalStateException("ram block '" + name + "' records no digests");
        }
        return digest.crc32c(memory, received);
    }
}
