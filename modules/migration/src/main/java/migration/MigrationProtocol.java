package migration;

/**
 * Public facts of the wire protocol (see the module's {@code PROTOCOL.md}) that users of the API may need.
 */
public final class MigrationProtocol {

    /** The page size both sides use, in bytes. A block's last page may be shorter. */
    public static final int PAGE_SIZE = 4096;

    /** The most pages a multifd data packet carries (512 KiB of 4 KiB pages), as in QEMU. */
    public static final int MAX_PAGES_PER_PACKET = 128;

    /** The most multifd channels a migration may use, as in QEMU. */
    public static final int MAX_CHANNELS = 255;

    /** The longest ram block name, in UTF-8 bytes. */
    public static final int MAX_BLOCK_NAME_BYTES = 255;

    /** The most ram blocks a migration may carry. */
    public static final int MAX_BLOCKS = 1024;

    /** The protocol version this implementation speaks. */
    public static final int VERSION = 2;

    private MigrationProtocol() {
    }

    /**
     * {@return the number of pages that cover {@code size} bytes, counting a short last page}
     * @param size a block size in bytes, not negative
     */
    public static long pageCount(long size) {
        return (size + PAGE_SIZE - 1) / PAGE_SIZE;
    }
}
