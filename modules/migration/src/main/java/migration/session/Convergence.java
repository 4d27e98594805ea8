package migration.session;

import migration.LiveParameters;

/**
 * After each round of a live migration, from that round's numbers alone (no clock, no channels, no hooks): go on
 * with another round, switch over, or give up because the migration cannot converge; and the throttle
 * auto-converge applies meanwhile ({@link AutoConverge}). Not thread-safe: the control thread owns it.
 *
 * <h2>The rules, in order</h2>
 * <ol>
 *   <li><b>Switch over</b> when the expected downtime ({@link ExpectedDowntime}) is within {@code downtime-limit},
 *       from round 2 on (or after round 1 when it found nothing dirty). Round 1 sends every page in long runs; the
 *       bandwidth it measures overstates what the last round, scattered dirty pages, will get (see
 *       {@code docs/design/live-migration.md}). A dirty round measures the right bandwidth. The fixed part of the expectation (the last sync and round trip) counts against the limit for
 *       at most half of it: it recurs at any switchover, so no number of rounds brings it down, and a tracker
 *       whose sync alone takes the limit (the portable one over gigabytes) must still switch over once the pages left take at most
 *       the other half; its downtime then exceeds the limit, and the expectation says so beforehand.</li>
 *   <li>Without auto-converge, <b>give up</b> once {@code max-rounds} rounds have run.</li>
 *   <li>With auto-converge the throttle always gets its chance before the migration gives up. QEMU's trigger
 *       raises it every second round that dirtied more than {@code throttle-trigger-threshold} percent of what it
 *       sent; once {@code max-rounds} rounds have run and it is still below {@code max-cpu-throttle}, it rises by
 *       {@code cpu-throttle-increment} after every further round that did not raise it already (QEMU has no round
 *       limit at all; this keeps one from cutting the throttle short). Once the throttle has been at its maximum
 *       for {@value #ROUNDS_AT_MAXIMUM} whole rounds, the migration <b>gives up</b> if {@code max-rounds} rounds
 *       have run, or if the last of those rounds found as many dirty pages as it sent (at the maximum throttle
 *       the writers still outpace the link: it cannot converge, so looping on would only hide that).</li>
 *   <li>Otherwise, <b>another round</b>.</li>
 * </ol>
 * Each give-up leaves {@link #state()} saying "cannot converge: ..." and {@link #failure()} the migration's error.
 */
final class Convergence {

    /** What comes after a round. */
    enum Next {
        /** Send the dirty pages in another round. */
        ROUND,
        /** The expected downtime is within the limit: pause the writers and send the last round. */
        SWITCH_OVER,
        /** The migration cannot converge: fail with {@link #failure()}. */
        GIVE_UP
    }

    /** Whole rounds at the maximum throttle before a migration may give up. */
    static final int ROUNDS_AT_MAXIMUM = 2;

    private final LiveParameters params;
    private final AutoConverge throttle;
    /** Whole rounds that ran with the throttle at its maximum. */
    private int roundsAtMaximum;
    private String state = "converging";
    private String failure;

    /** Why the last SWITCH_OVER: the expected downtime against the limit; the control thread's. */
    private String switchoverReason = "";

    /**
     * Creates the decision for one migration.
     *
     * @param params the live parameters
     */
    Convergence(LiveParameters params) {
        this.params = params;
        this.throttle = new AutoConverge(params);
    }

    /**
     * Takes one round's numbers and decides what comes next.
     *
     * @param round                  the round that ended, from 1
     * @param pagesSent              the pages it sent
     * @param sentBytes              the bytes it put on the multifd channels
     * @param dirtyPages             the pages the sync after it found dirty
     * @param dirtyBytes             the bytes of those pages
     * @param bandwidth              its bandwidth, bytes per second
     * @param expected               the expected downtime of a switchover now
     * @return what comes next; {@link #throttle()} is the throttle to apply from now on
     */
    Next afterRound(int round, long pagesSent, long sentBytes, long dirtyPages, long dirtyBytes, long bandwidth,
                    ExpectedDowntime expected) {
        long expectedDowntimeMillis = expected.millis();
        boolean ranAtMaximum = throttle.atMaximum();
        int before = throttle.percent();
        int after = throttle.afterRound(dirtyBytes, sentBytes);
        if (ranAtMaximum) {
            roundsAtMaximum++;
        }
        long limit = params.downtimeLimit().toMillis();
        if (expected.variableMillis() <= limit - Math.min(expected.fixedMillis(), limit / 2)
                && (round > 1 || dirtyPages == 0)) {
            state = after > 0 ? "throttling the writers at " + after + "% to converge" : "converging";
            switchoverReason = expectedDowntimeMillis <= limit
                    ? "expected downtime " + expectedDowntimeMillis + " ms, within the downtime limit of " + limit + " ms"
                    : "expected downtime " + expectedDowntimeMillis + " ms, above the downtime limit of " + limit
                    + " ms: its fixed part (" + expected.fixedMillis() + " ms, the last sync and round trip) recurs at"
                    + " any switchover, so it counts for at most half the limit, and the pages left ("
                    + expected.variableMillis() + " ms) fit in the rest";
            return Next.SWITCH_OVER;
        }
        String numbers = dirtyPages + " pages dirtied during round " + round + " (which sent " + pagesSent
                + ") would take " + expectedDowntimeMillis + " ms to send at " + bandwidth + " bytes/s"
                + (expected.fixedMillis() > 0 ? " (" + expected.fixedMillis()
                + " ms of it the last sync and round trip)" : "")
                + ", above the downtime limit of " + limit + " ms";
        boolean roundsUsed = round >= params.maxRounds();
        if (!params.autoConverge()) {
            if (roundsUsed) {
                return giveUp("the migration did not converge within " + params.maxRounds() + " rounds (max-rounds): "
                        + numbers + ", and auto-converge is off", ". Raise the downtime limit or max-rounds, turn"
                        + " auto-converge on, or call switchover()");
            }
            state = dirtyPages < pagesSent ? "converging" : "cannot converge: " + numbers
                    + ", and auto-converge is off";
            return Next.ROUND;
        }
        if (roundsAtMaximum >= ROUNDS_AT_MAXIMUM) {
            String atMaximum = "with the writers throttled at the maximum of " + params.maxCpuThrottle() + "% for "
                    + roundsAtMaximum + " rounds, " + numbers;
            if (dirtyPages >= pagesSent) {
                return giveUp("the migration cannot converge: " + atMaximum, ". Raise the downtime limit or the"
                        + " bandwidth, or call switchover()");
            }
            if (roundsUsed) {
                return giveUp("the migration did not converge within " + round + " rounds (max-rounds "
                        + params.maxRounds() + "): " + atMaximum, ". Raise the downtime limit or max-rounds, or call"
                        + " switchover()");
            }
        }
        if (roundsUsed && after == before && !throttle.atMaximum()) {
            after = throttle.step();
        }
        state = after == 0 ? "converging" : "throttling the writers at " + after + "%"
                + (throttle.atMaximum() ? " (the maximum)" : "") + " to converge" + (roundsUsed ? " (max-rounds "
                + params.maxRounds() + " reached: the throttle rises every round until it has been at its maximum for "
                + ROUNDS_AT_MAXIMUM + " rounds)" : "");
        return Next.ROUND;
    }

    private Next giveUp(String why, String advice) {
        state = "cannot converge: " + why;
        failure = why + advice;
        return Next.GIVE_UP;
    }

    /** {@return why the last {@link Next#SWITCH_OVER} switched over, with the expected downtime and the limit} */
    String switchoverReason() {
        return switchoverReason;
    }

    /** {@return the throttle to apply now, 0 when not throttling} */
    int throttle() {
        return throttle.percent();
    }

    /** {@return in words, where the migration stands: "converging", "throttling ...", or "cannot converge: ..."} */
    String state() {
        return state;
    }

    /** {@return the error of a migration that gave up, or {@code null}} */
    String failure() {
        return failure;
    }
}
