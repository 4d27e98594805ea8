package migration.multifd;

/** What a {@link MultifdReceiver} reports to the migration that owns it. */
public interface ReceiverHost {

    /** {@return whether the migration is ending, so the receiver must stop} */
    boolean stopping();

    /** A packet arrived: the source is alive. */
    void alive();

    /**
     * The receiver failed; the migration fails with this error.
     *
     * @param channel   the channel id
     * @param message   what failed, naming the channel, packet and field
     * @param cause     the error
     * @param transport whether the cause is the connection (the peer may have gone away) rather than a
     *                  protocol violation
     */
    void failed(int channel, String message, Exception cause, boolean transport);
}
