package migration.protocol;

/** The types of frames on the main channel; the numbers are on the wire (see {@code PROTOCOL.md}). */
public enum FrameType {
    /** Source to destination: migration id, channel count, page size and block list. */
    HELLO(1),
    /** Destination to source: the handshake and all channels are accepted. */
    ACCEPT(2),
    /** Either way, every second: "still here". */
    HEARTBEAT(3),
    /** Source to destination: a round other than the last ended; every channel sent its SYNC. */
    ROUND_END(4),
    /** Source to destination: the last round ended; packet count and digests follow. */
    COMPLETE(5),
    /** Destination to source: the outcome of the migration. */
    RESULT(6),
    /** Either way: the sender failed; UTF-8 text says why. */
    ERROR(7),
    /** Either way: the sender cancelled; UTF-8 text may say why. */
    CANCEL(8),
    /** Destination to source: every page of a round other than the last is in the destination's memory. */
    ROUND_RECEIVED(9),
    /**
     * Destination to source, on every TLS connection before anything else: whether the source's identity is
     * admitted, and why not.
     */
    ADMISSION(10),
    /**
     * Source to destination, after a RESULT that said yes: the source hands the memory over and will not resume;
     * the destination owns it from this frame on.
     */
    COMMIT(11);

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    /** {@return the type's number on the wire} */
    public int code() {
        return code;
    }

    /**
     * {@return the type with the given number, or {@code null}}
     * @param code a number from the wire
     */
    public static FrameType of(int code) {
        for (FrameType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        return null;
    }
}
