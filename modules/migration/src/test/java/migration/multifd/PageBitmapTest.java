package migration.multifd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PageBitmapTest {

    @Test
    void aPageIsReportedAsSeenOnlyFromItsSecondArrival() {
        PageBitmap bitmap = new PageBitmap(130);
        assertThat(bitmap.testAndSet(129)).isFalse();
        assertThat(bitmap.testAndSet(129)).isTrue();
        assertThat(bitmap.testAndSet(128)).isFalse();
        assertThat(bitmap.testAndSet(0)).isFalse();
    }

    @Test
    void aRangeSetsExactlyItsPagesAcrossWordBoundaries() {
        PageBitmap bitmap = new PageBitmap(300);
        bitmap.setRange(60, 150); // pages 60..209: the end of word 0, all of word 1 and 2, the start of word 3
        for (long page = 0; page < 300; page++) {
            assertThat(bitmap.isSet(page)).as("page %d", page).isEqualTo(page >= 60 && page < 210);
        }
    }

    @Test
    void anEmptyRangeSetsNothing() {
        PageBitmap bitmap = new PageBitmap(64);
        bitmap.setRange(10, 0);
        assertThat(bitmap.testAndSet(10)).isFalse();
    }
}
