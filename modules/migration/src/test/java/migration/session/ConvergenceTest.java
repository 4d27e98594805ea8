package migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import migration.LiveParameters;
import migration.session.Convergence.Next;
import org.junit.jupiter.api.Test;

/** The decision after each round, driven with given numbers: no clock, no writers, no link. */
class ConvergenceTest {

    private static final long PAGE = 4096;
    /** A link of 4 MiB/s: a round of 512 pages takes 500 ms. */
    private static final long BANDWIDTH = 4L << 20;

    private static final LiveParameters AUTO = LiveParameters.defaults().withAutoConverge(true);

    /** A round that sent {@code sent} pages and found {@code dirty} dirty, on the 4 MiB/s link. */
    private static Next round(Convergence convergence, int round, long sent, long dirty) {
        long expected = (long) Math.ceil(dirty * PAGE * 1000.0 / BANDWIDTH);
        return convergence.afterRound(round, sent, sent * PAGE, dirty, dirty * PAGE, BANDWIDTH,
                new ExpectedDowntime(0, expected));
    }

    /** Writers that outpace the link whatever the throttle: every round finds all 512 pages dirty again. */
    private static List<String> outpacedUntilItEnds(Convergence convergence) {
        List<String> steps = new ArrayList<>();
        for (int round = 1; round <= 10_000; round++) {
            Next next = round(convergence, round, 512, 512);
            steps.add(round + ":" + convergence.throttle());
            if (next != Next.ROUND) {
                steps.add(next.name());
                return steps;
            }
        }
        throw new AssertionError("never ended: " + steps);
    }

    @Test
    void anExpectedDowntimeWithinTheLimitSwitchesOver() {
        Convergence convergence = new Convergence(AUTO);

        // 64 pages at 4 MiB/s: 63 ms, within the default 300 ms.
        assertThat(round(convergence, 2, 512, 64)).isEqualTo(Next.SWITCH_OVER);
    }

    @Test
    void aSwitchoverWithinTheLimitSaysSoWithBothFigures() {
        Convergence convergence = new Convergence(AUTO);

        round(convergence, 2, 512, 64);

        assertThat(convergence.switchoverReason())
                .isEqualTo("expected downtime 63 ms, within the downtime limit of 300 ms");
    }

    @Test
    void aSwitchoverAboveTheLimitSaysWhyItHappenedAnyway() {
        Convergence convergence = new Convergence(AUTO);

        // A sync and round trip of 400 ms recur at any switchover: they count for half the 300 ms limit, and the
        // 63 ms of pages fit in the other half, so the migration switches over above the limit.
        Next next = convergence.afterRound(2, 512, 512 * PAGE, 64, 64 * PAGE, BANDWIDTH,
                new ExpectedDowntime(400, 63));

        assertThat(next).isEqualTo(Next.SWITCH_OVER);
        assertThat(convergence.switchoverReason()).isEqualTo("expected downtime 463 ms, above the downtime limit of"
                + " 300 ms: its fixed part (400 ms, the last sync and round trip) recurs at any switchover, so it counts"
                + " for at most half the limit, and the pages left (63 ms) fit in the rest");
    }

    @Test
    void roundOneDoesNotSwitchOverOnItsBulkBandwidthWhilePagesAreDirty() {
        Convergence convergence = new Convergence(AUTO);

        // The same numbers after round 1: its bandwidth (long runs) says nothing about the scattered last round.
        assertThat(round(convergence, 1, 512, 64)).isEqualTo(Next.ROUND);
        assertThat(round(convergence, 2, 64, 64)).isEqualTo(Next.SWITCH_OVER);
    }

    @Test
    void roundOneWithNothingDirtySwitchesOver() {
        Convergence convergence = new Convergence(AUTO);

        assertThat(round(convergence, 1, 512, 0)).isEqualTo(Next.SWITCH_OVER);
    }

    @Test
    void withDefaultsWritersThatOutpaceTheLinkAreThrottledToTheMaximumBeforeTheMigrationGivesUp() {
        Convergence convergence = new Convergence(AUTO);

        List<String> steps = outpacedUntilItEnds(convergence);

        // QEMU's trigger: every second high round, 20 then +10 up to 99 (round 18); two whole rounds at 99; then
        // it cannot converge, long before max-rounds (100).
        assertThat(steps).containsSubsequence("1:0", "2:20", "4:30", "16:90", "18:99", "20:99", "GIVE_UP")
                .hasSize(21);
        assertThat(convergence.state()).startsWith("cannot converge: the migration cannot converge: with the writers"
                + " throttled at the maximum of 99% for 2 rounds, 512 pages dirtied during round 20 (which sent 512)"
                + " would take 500 ms to send at 4194304 bytes/s, above the downtime limit of 300 ms");
        assertThat(convergence.failure()).startsWith("the migration cannot converge: with the writers throttled at"
                + " the maximum of 99% for 2 rounds").endsWith(". Raise the downtime limit or the bandwidth, or call"
                + " switchover()");
    }

    @Test
    void aMaxRoundsReachedBeforeTheThrottleIsAtItsMaximumRaisesItEveryRoundInsteadOfGivingUp() {
        Convergence convergence = new Convergence(AUTO.withMaxRounds(4));

        List<String> steps = outpacedUntilItEnds(convergence);

        // Rounds 1-4 as QEMU (20 after 2, 30 after 4); then one step per round: 40 ... 90, 99 after round 11;
        // rounds 12 and 13 run at 99, and the migration gives up after round 13.
        assertThat(steps).containsExactly("1:0", "2:20", "3:20", "4:30", "5:40", "6:50", "7:60", "8:70", "9:80",
                "10:90", "11:99", "12:99", "13:99", "GIVE_UP");
        assertThat(convergence.failure()).startsWith("the migration cannot converge: with the writers throttled at"
                + " the maximum of 99% for 2 rounds");
    }

    @Test
    void aThrottleThatHelpsLeadsToTheSwitchover() {
        Convergence convergence = new Convergence(AUTO.withMaxRounds(4));
        // Writers that outpace the link until the throttle reaches 50%, then dirty a quarter of what a round sends.
        long sent = 512;
        Next next = Next.ROUND;
        int round = 0;
        while (next == Next.ROUND && round < 100) {
            round++;
            long dirty = convergence.throttle() >= 50 ? sent / 4 : sent;
            next = round(convergence, round, sent, dirty);
            sent = dirty;
        }

        // 30% after round 4 (QEMU's trigger), 40% forced after round 5, 50% by the trigger after round 6; round 7
        // leaves 128 pages, 125 ms at 4 MiB/s.
        assertThat(round).isEqualTo(7);
        assertThat(next).isEqualTo(Next.SWITCH_OVER);
        assertThat(convergence.throttle()).isEqualTo(50);
        assertThat(convergence.failure()).isNull();
    }

    @Test
    void atTheMaximumThrottleAMigrationThatStillShrinksGoesOnUntilMaxRounds() {
        Convergence convergence = new Convergence(AUTO.withMaxRounds(30).withDowntimeLimit(Duration.ZERO));
        Next next = Next.ROUND;
        int round = 0;
        while (next == Next.ROUND) {
            round++;
            // High rounds (more than half resent) that still shrink by one page: never within a 0 ms limit.
            next = round(convergence, round, 1000 - round, 999 - round);
        }

        assertThat(next).isEqualTo(Next.GIVE_UP);
        assertThat(round).isEqualTo(30);
        assertThat(convergence.failure()).startsWith("the migration did not converge within 30 rounds (max-rounds"
                + " 30): with the writers throttled at the maximum of 99% for 12 rounds");
    }

    @Test
    void withoutAutoConvergeAnOutpacedMigrationSaysItCannotConvergeAndGivesUpAtMaxRounds() {
        Convergence convergence = new Convergence(LiveParameters.defaults().withMaxRounds(3));

        assertThat(round(convergence, 1, 512, 512)).isEqualTo(Next.ROUND);
        assertThat(convergence.state()).startsWith("cannot converge: 512 pages dirtied during round 1")
                .endsWith(", and auto-converge is off");
        assertThat(round(convergence, 2, 512, 512)).isEqualTo(Next.ROUND);
        assertThat(round(convergence, 3, 512, 512)).isEqualTo(Next.GIVE_UP);
        assertThat(convergence.throttle()).isZero();
        assertThat(convergence.failure()).startsWith("the migration did not converge within 3 rounds (max-rounds): 512"
                + " pages dirtied during round 3").endsWith("Raise the downtime limit or max-rounds, turn auto-converge"
                + " on, or call switchover()");
    }

    @Test
    void roundsThatDirtyLessThanTheThresholdNeverThrottle() {
        Convergence convergence = new Convergence(AUTO.withDowntimeLimit(Duration.ZERO));

        for (int round = 1; round <= 10; round++) {
            round(convergence, round, 1000, 400);
        }

        assertThat(convergence.throttle()).isZero();
        assertThat(convergence.state()).isEqualTo("converging");
    }

    /** A round 2 expected to take {@code variable} ms for its pages plus {@code fixed} ms. */
    private static Next secondRound(long fixed, long variable) {
        return new Convergence(AUTO).afterRound(2, 512, 512 * PAGE, 100, 100 * PAGE, BANDWIDTH,
                new ExpectedDowntime(fixed, variable));
    }

    @Test
    void theFixedPartCountsAgainstTheLimit() {
        assertThat(secondRound(40, 260)).isEqualTo(Next.SWITCH_OVER);
        assertThat(secondRound(40, 261)).isEqualTo(Next.ROUND);
    }

    @Test
    void aFixedPartLongerThanHalfTheLimitCountsAsHalfOfIt() {
        assertThat(secondRound(450, 150)).isEqualTo(Next.SWITCH_OVER);
        assertThat(secondRound(450, 151)).isEqualTo(Next.ROUND);
    }

    @Test
    void theReasonForGivingUpNamesTheFixedPartsShare() {
        Convergence convergence = new Convergence(LiveParameters.defaults().withMaxRounds(2));
        convergence.afterRound(1, 512, 512 * PAGE, 512, 512 * PAGE, BANDWIDTH, new ExpectedDowntime(40, 500));

        assertThat(convergence.afterRound(2, 512, 512 * PAGE, 512, 512 * PAGE, BANDWIDTH,
                new ExpectedDowntime(40, 500))).isEqualTo(Next.GIVE_UP);
        assertThat(convergence.failure()).contains("would take 540 ms to send at 4194304 bytes/s (40 ms of it the last"
                + " sync and round trip), above the downtime limit of 300 ms");
    }
}
