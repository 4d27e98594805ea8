package migration.multifd;

import io.channel.FlushResult;

/** What a {@link MultifdSender} reports to the migration that owns it. */
public interface SenderHost {

    /** {@return whether the migration is ending, so the sender must stop} */
    boolean stopping();

    /**
     * The sender wrote its SYNC packet and flushed.
     *
     * @param channel the channel id
     * @param round   the round that ended
     * @param flush   what the flush after the SYNC found
     */
    void synced(int channel, int round, FlushResult flush);

    /**
     * The sender failed; the migration fails with this error.
     *
     * @param channel   the channel id
     * @param message   what failed, naming the channel and packet
     * @param cause     the error
     * @param transport whether the cause is the connection (possibly the peer going away) rather than a
     *                  local fault
     */
    void failed(int channel, String message, Exception cause, boolean transport);
}
