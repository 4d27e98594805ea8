package migration.session;

import java.util.ArrayList;
import java.util.List;

/**
 * The current phase of one side, moved only along the transitions its enum allows ({@link Phase#mayMoveTo}).
 * An illegal move is a bug in the side's control flow: it throws {@link IllegalStateException}, which fails the
 * migration as an internal error (and any test that provokes it).
 *
 * @param <P> the side's phase enum
 */
final class Phases<P extends Enum<P> & Phase<P>> {

    private final String side;
    private final List<P> history = new ArrayList<>();
    private volatile P current;

    /**
     * Starts in {@code initial}.
     *
     * @param side    "source" or "destination", for messages
     * @param initial the first phase
     */
    Phases(String side, P initial) {
        this.side = side;
        this.current = initial;
        history.add(initial);
    }

    /** {@return the current phase; any thread} */
    P current() {
        return current;
    }

    /**
     * Moves to {@code next}.
     *
     * @param next the next phase
     * @throws IllegalStateException if the current phase may not move there
     */
    synchronized void moveTo(P next) {
        P from = current;
        if (!from.mayMoveTo(next)) {
            throw new IllegalStateException("the " + side + " cannot move from " + from + " to " + next
                    + " (phases so far: " + history + ")");
        }
        current = next;
        history.add(next);
    }

    /** {@return the phases this side went through, in order} */
    synchronized List<P> history() {
        return List.copyOf(history);
    }
}
