package migration.session;

import java.io.IOException;
import migration.protocol.Frame;
import migration.protocol.FrameType;
import migration.protocol.MainChannel;
import migration.protocol.ProtocolException;

/**
 * The main channel's reader of one side, on its own thread: reads the peer's frames, takes HEARTBEAT as a sign of
 * life, ends the migration on ERROR and CANCEL with the peer's words (made safe and quoted, {@link Frame#peerText()}),
 * and gives every other frame to the side. Reports a protocol error, the peer closing or the connection failing,
 * unless the peer may close by now ({@link End}).
 */
final class MainChannelReader {

    /** What a side does with a frame from its peer other than HEARTBEAT, ERROR and CANCEL. */
    interface FrameHandler {
        /**
         * Handles a frame.
         *
         * @param frame the frame
         * @return whether to read on
         * @throws ProtocolException if the frame is malformed or not allowed now
         */
        boolean handle(Frame frame) throws ProtocolException;
    }

    /** What the end of the main channel means, as a side sees it now. */
    interface End {
        /** {@return whether the migration is over for the peer, so that its close, a reset or stray bytes mean nothing} */
        boolean peerMayClose();

        /**
         * The peer closed the main channel (end of stream) while it still had to speak.
         *
         * @return why the migration fails
         */
        Failure closedEarly();

        /**
         * The main channel's connection failed while the peer still had to speak.
         *
         * @param error the I/O error
         * @return why the migration fails, or {@code null} for the plain connection failure
         */
        default Failure broke(IOException error) {
            return null;
        }
    }

    private final Session session;
    private final String peer;

    /**
     * @param session the side
     * @param peer    "source" or "destination"
     */
    MainChannelReader(Session session, String peer) {
        this.session = session;
        this.peer = peer;
    }

    /**
     * Reads until the handler says stop, the peer ends the migration, or the channel ends.
     *
     * @param handler the side's frames
     * @param end     what the end of the main channel means
     */
    void read(FrameHandler handler, End end) {
        MainChannel channel = session.main();
        try {
            while (true) {
                Frame frame = channel.read("the " + peer);
                if (frame == null) {
                    if (!session.stopping() && !end.peerMayClose()) {
                        session.fail(end.closedEarly());
                    }
                    return;
                }
                session.touch();
                switch (frame.type()) {
                    case HEARTBEAT -> {
                    }
                    case ERROR, CANCEL -> {
                        peerEnded(frame);
                        return;
                    }
                    default -> {
                        if (!handler.handle(frame)) {
                            return;
                        }
                    }
                }
            }
        } catch (ProtocolException e) {
            if (!end.peerMayClose()) {
                session.fail(new Failure.Local(e.getMessage(), e));
            }
        } catch (IOException e) {
            if (!session.stopping() && !end.peerMayClose()) {
                Failure broke = end.broke(e);
                session.fail(broke != null ? broke : new Failure.Transport("main channel: the connection to the "
                        + peer + " failed: " + e.getMessage(), e));
            }
        } catch (RuntimeException e) {
            session.fail(new Failure.Local("main channel reader: internal error: " + e, e));
        }
    }

    /** The peer ended the migration with ERROR or CANCEL: it fails or is cancelled with the peer's words. */
    private void peerEnded(Frame frame) {
        if (frame.type() == FrameType.CANCEL) {
            String plain = "cancelled by the " + peer;
            String text = frame.text();
            session.fail(new Failure.Cancelled(text.isEmpty() || text.equals(plain) ? plain
                    : plain + ": " + frame.peerText(), true));
        } else {
            session.fail(new Failure.ByPeer("the " + peer + " failed: " + frame.peerText()));
        }
    }
}
