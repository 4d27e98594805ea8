package migration.protocol;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import migration.MigrationProtocol;

/**
 * The HELLO frame: what the source wants to migrate.
 *
 * @param migrationId    identifies the migration on every channel
 * @param channels       number of multifd channels that will connect
 * @param pageSize       the page size
 * @param pagesPerPacket the most pages in one packet
 * @param blocks         the blocks, in order; packets refer to them by index
 * @param live           whether the source migrates live (rounds of dirty pages, then a pause), so that the
 *                       destination's statistics say so from the start
 * @param handedOver     the indices of the blocks the source hands over (their descriptors, on the handover
 *                       channel, instead of their pages), in increasing order; empty for none
 */
public record Hello(UUID migrationId, int channels, int pageSize, int pagesPerPacket, List<BlockInfo> blocks,
                    boolean live, List<Integer> handedOver) {

    /** Flag: the source migrates live. */
    private static final int FLAG_LIVE = 1;
    /** Flag: a list of the blocks handed over follows the block entries. */
    private static final int FLAG_HANDOVER = 2;

    /**
     * A handshake of a migration that is not live.
     *
     * @param migrationId    the migration's id
     * @param channels       number of multifd channels
     * @param pageSize       the page size
     * @param pagesPerPacket the most pages in one packet
     * @param blocks         the blocks
     */
    public Hello(UUID migrationId, int channels, int pageSize, int pagesPerPacket, List<BlockInfo> blocks) {
        this(migrationId, channels, pageSize, pagesPerPacket, blocks, false);
    }

    /**
     * A handshake that hands nothing over.
     *
     * @param migrationId    the migration's id
     * @param channels       number of multifd channels
     * @param pageSize       the page size
     * @param pagesPerPacket the most pages in one packet
     * @param blocks         the blocks
     * @param live           whether the source migrates live
     */
    public Hello(UUID migrationId, int channels, int pageSize, int pagesPerPacket, List<BlockInfo> blocks,
                 boolean live) {
        this(migrationId, channels, pageSize, pagesPerPacket, blocks, live, List.of());
    }

    /**
     * A block as announced.
     *
     * @param name the block's name
     * @param size the block's size in bytes
     */
    public record BlockInfo(String name, long size) {
        /**
         * Checks the components.
         *
         * @throws NullPointerException if the name is null
         */
        public BlockInfo {
            Objects.requireNonNull(name, "name");
        }
    }

    /**
     * Copies the block list.
     *
     * @throws NullPointerException if a component is null
     */
    public Hello {
        Objects.requireNonNull(migrationId, "migrationId");
        blocks = List.copyOf(blocks);
        handedOver = List.copyOf(handedOver);
    }

    /** {@return the frame carrying this handshake} */
    public Frame encode() {
        List<byte[]> names = new ArrayList<>();
        int size = 36 + (handedOver.isEmpty() ? 0 : 4 + 4 * handedOver.size());
        for (BlockInfo block : blocks) {
            byte[] name = block.name().getBytes(StandardCharsets.UTF_8);
            names.add(name);
            size += 2 + name.length + 8;
        }
        ByteBuffer out = ByteBuffer.allocate(size);
        out.putLong(migrationId.getMostSignificantBits()).putLong(migrationId.getLeastSignificantBits());
        out.putShort((short) channels).putShort((short) 0);
        out.putInt(pageSize).putInt(pagesPerPacket).putInt((live ? FLAG_LIVE : 0)
                | (handedOver.isEmpty() ? 0 : FLAG_HANDOVER));
        out.putInt(blocks.size());
        for (int i = 0; i < blocks.size(); i++) {
            out.putShort((short) names.get(i).length).put(names.get(i)).putLong(blocks.get(i).size());
        }
        if (!handedOver.isEmpty()) {
            out.putInt(handedOver.size());
            for (int index : handedOver) {
                out.putInt(index);
            }
        }
        return new Frame(FrameType.HELLO, out.array());
    }

    /**
     * Parses and validates a HELLO body.
     *
     * @param frame the frame
     * @return the handshake
     * @throws ProtocolException naming the field that is wrong
     */
    public static Hello decode(Frame frame) throws ProtocolException {
        ByteBuffer in = frame.buffer();
        try {
            UUID id = new UUID(in.getLong(), in.getLong());
            int channels = Short.toUnsignedInt(in.getShort());
            int reserved16 = Short.toUnsignedInt(in.getShort());
            int pageSize = in.getInt();
            int pagesPerPacket = in.getInt();
            int flags = in.getInt();
            int count = in.getInt();
            if (channels < 1 || channels > MigrationProtocol.MAX_CHANNELS) {
                throw new ProtocolException("main channel, HELLO: channel count " + channels
                        + " is outside 1.." + MigrationProtocol.MAX_CHANNELS);
            }
            if (reserved16 != 0 || (flags & ~(FLAG_LIVE | FLAG_HANDOVER)) != 0) {
                throw new ProtocolException("main channel, HELLO: reserved fields are not zero (" + reserved16
                        + ", " + Wire.hex(flags) + ")");
            }
            if (pageSize != MigrationProtocol.PAGE_SIZE) {
                throw new ProtocolException("main channel, HELLO: page size " + pageSize + ", expected "
                        + MigrationProtocol.PAGE_SIZE);
            }
            if (pagesPerPacket != MigrationProtocol.MAX_PAGES_PER_PACKET) {
                throw new ProtocolException("main channel, HELLO: " + pagesPerPacket + " pages per packet, expected "
                        + MigrationProtocol.MAX_PAGES_PER_PACKET);
            }
            if (count < 1 || count > MigrationProtocol.MAX_BLOCKS) {
                throw new ProtocolException("main channel, HELLO: block count " + Integer.toUnsignedString(count)
                        + " is outside 1.." + MigrationProtocol.MAX_BLOCKS + (count == 0 ? " (nothing to migrate)" : ""));
            }
            List<BlockInfo> blocks = new ArrayList<>(count);
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < count; i++) {
                int length = Short.toUnsignedInt(in.getShort());
                if (length < 1 || length > MigrationProtocol.MAX_BLOCK_NAME_BYTES) {
                    throw new ProtocolException("main channel, HELLO: block " + i + " has a name of " + length
                            + " bytes, expected 1.." + MigrationProtocol.MAX_BLOCK_NAME_BYTES);
                }
                byte[] bytes = new byte[length];
                in.get(bytes);
                String name;
                try {
                    name = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
                } catch (CharacterCodingException e) {
                    throw new ProtocolException("main channel, HELLO: the name of block " + i + " is not UTF-8");
                }
                if (name.codePoints().anyMatch(PeerText::unsafe)) {
                    throw new ProtocolException("main channel, HELLO: the name of block " + i + ", "
                            + PeerText.quote(name) + ", contains control or invisible characters");
                }
                long size = in.getLong();
                if (size < 0) {
                    throw new ProtocolException("main channel, HELLO: block '" + name + "' has a negative size "
                            + size);
                }
                if (!seen.add(name)) {
                    throw new ProtocolException("main channel, HELLO: block name '" + name + "' appears twice");
                }
                blocks.add(new BlockInfo(name, size));
            }
            List<Integer> handedOver = (flags & FLAG_HANDOVER) != 0 ? decodeHandedOver(in, count) : List.of();
            if (in.hasRemaining()) {
                throw new ProtocolException("main channel, HELLO: " + in.remaining() + " bytes after the block list");
            }
            return new Hello(id, channels, pageSize, pagesPerPacket, blocks, (flags & FLAG_LIVE) != 0, handedOver);
        } catch (BufferUnderflowException e) {
            throw new ProtocolException("main channel, HELLO: the frame is too short (" + frame.body().length
                    + " bytes)");
        }
    }

    /** Reads the list of blocks handed over: a count 1..B, then that many block indices, increasing, each below B. */
    private static List<Integer> decodeHandedOver(ByteBuffer in, int blocks) throws ProtocolException {
        int count = in.getInt();
        if (count < 1 || count > blocks) {
            throw new ProtocolException("main channel, HELLO: " + Integer.toUnsignedString(count) + " blocks handed"
                    + " over, expected 1.." + blocks);
        }
        List<Integer> indices = new ArrayList<>(count);
        int previous = -1;
        for (int i = 0; i < count; i++) {
            int index = in.getInt();
            if (index <= previous || index >= blocks) {
                throw new ProtocolException("main channel, HELLO: handed-over block index "
                        + Integer.toUnsignedString(index) + " is not above " + previous + " and below " + blocks);
            }
            indices.add(index);
            previous = index;
        }
        return indices;
    }
}
