package migration.protocol;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.UUID;

/**
 * The init packet, the first bytes of every multifd channel: which migration the channel belongs to and which
 * channel it is.
 *
 * @param migrationId the migration, as in HELLO
 * @param channel     the channel id, 0..N-1 (unsigned on the wire)
 */
public record InitPacket(UUID migrationId, int channel) {

    /** Magic (4), version (4), uuid (16), channel id (4), reserved (4). */
    public static final int SIZE = 32;
    /**
     * The channel id of the handover channel: the one connection that passes the descriptors of the blocks HELLO
     * hands over, besides the N multifd channels (see {@code PROTOCOL.md}, "Handover").
     */
    public static final int HANDOVER_CHANNEL = -1;

    /** {@return whether this init packet names the handover channel} */
    public boolean handover() {
        return channel == HANDOVER_CHANNEL;
    }

    /**
     * Checks the components.
     *
     * @throws NullPointerException if the migration id is null
     */
    public InitPacket {
        Objects.requireNonNull(migrationId, "migrationId");
    }

    /**
     * Writes the packet.
     *
     * @param out at least {@value #SIZE} bytes
     */
    public void encode(MemorySegment out) {
        out.set(Wire.INT, 0, Wire.MULTIFD_MAGIC);
        out.set(Wire.INT, 4, Wire.VERSION);
        out.set(Wire.LONG, 8, migrationId.getMostSignificantBits());
        out.set(Wire.LONG, 16, migrationId.getLeastSignificantBits());
        out.set(Wire.INT, 24, channel);
        out.set(Wire.INT, 28, 0);
    }

    /**
     * Parses and checks an init packet.
     *
     * @param in   the {@value #SIZE} bytes
     * @param from where the connection comes from, for messages
     * @return the packet
     * @throws ProtocolException naming the field that is wrong
     */
    public static InitPacket decode(MemorySegment in, String from) throws ProtocolException {
        if (in.byteSize() < SIZE) {
            throw new ProtocolException("multifd: init packet from " + from + " has " + in.byteSize()
                    + " bytes, expected " + SIZE);
        }
        int magic = in.get(Wire.INT, 0);
        if (magic != Wire.MULTIFD_MAGIC) {
            throw new ProtocolException("multifd: init packet from " + from + " has magic "
                    + Wire.hex(magic & 0xffffffffL) + ", expected " + Wire.hex(Wire.MULTIFD_MAGIC));
        }
        int version = in.get(Wire.INT, 4);
        if (version != Wire.VERSION) {
            throw new ProtocolException("multifd: received packet version " + Integer.toUnsignedString(version)
                    + " expected " + Wire.VERSION + " (connection from " + from + ")");
        }
        UUID id = new UUID(in.get(Wire.LONG, 8), in.get(Wire.LONG, 16));
        int channel = in.get(Wire.INT, 24);
        int reserved = in.get(Wire.INT, 28);
        if (reserved != 0) {
            throw new ProtocolException("multifd: init packet of channel " + Integer.toUnsignedString(channel)
                    + " has reserved field " + Wire.hex(reserved & 0xffffffffL) + ", expected 0");
        }
        return new InitPacket(id, channel);
    }

    /**
     * {@return why this channel is not part of the given migration, or {@code null} if it is}
     * @param expected the migration id from HELLO
     */
    public String mismatch(UUID expected) {
        return migrationId.equals(expected) ? null : "multifd: received uuid '" + migrationId
                + "' and expected uuid '" + expected + "' for channel " + Integer.toUnsignedString(channel);
    }

    /**
     * Checks the channel id against the handshake.
     *
     * @param channels the channel count from HELLO
     * @throws ProtocolException if the channel id is out of range
     */
    public void checkChannel(int channels) throws ProtocolException {
        if (channel < 0 || channel >= channels) {
            throw new ProtocolException("multifd: received channel id " + Integer.toUnsignedString(channel)
                    + " is greater than number of channels " + channels);
        }
    }
}
