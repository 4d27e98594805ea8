package migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The pooled bandwidth, from given rounds: bytes and nanoseconds, no clock. */
class RecentBandwidthTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void noRoundMeansNoBandwidth() {
        assertThat(new RecentBandwidth().bytesPerSecond()).isZero();
    }

    @Test
    void roundOneAloneGivesItsOwnBandwidth() {
        RecentBandwidth bandwidth = new RecentBandwidth();
        bandwidth.add(1, 1000, SECOND);

        assertThat(bandwidth.bytesPerSecond()).isEqualTo(1000);
    }

    @Test
    void roundOneNoLongerCountsOnceAnotherRoundMeasured() {
        RecentBandwidth bandwidth = new RecentBandwidth();
        bandwidth.add(1, 9000, SECOND);
        bandwidth.add(2, 300, SECOND);

        assertThat(bandwidth.bytesPerSecond()).isEqualTo(300);
    }

    @Test
    void theLastThreeRoundsArePooledByTheirBytesAndTime() {
        RecentBandwidth bandwidth = new RecentBandwidth();
        bandwidth.add(1, 9000, SECOND);
        bandwidth.add(2, 100, SECOND);
        bandwidth.add(3, 400, SECOND);
        bandwidth.add(4, 500, SECOND / 2);
        bandwidth.add(5, 600, SECOND / 2);

        // Rounds 3 to 5: 1500 bytes in 2 s.
        assertThat(bandwidth.bytesPerSecond()).isEqualTo(750);
    }

    @Test
    void aLuckyLastRoundMovesThePoolLessThanItsOwnBandwidth() {
        RecentBandwidth bandwidth = new RecentBandwidth();
        bandwidth.add(2, 300, SECOND);
        bandwidth.add(3, 300, SECOND);
        bandwidth.add(4, 300, SECOND / 3);

        // 900 bytes in 2.33 s, where the last round alone ran at 900 bytes/s.
        assertThat(bandwidth.bytesPerSecond()).isEqualTo(385);
    }
}
