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

    @Test
    void takingAWordReturnsItsBitsAndClearsThem() {
        PageBitmap bitmap = new PageBitmap(200);
        bitmap.setRange(62, 4); // pages 62, 63 in word 0; 64, 65 in word 1

        assertThat(bitmap.takeWord(0)).isEqualTo(0b11L << 62);
        assertThat(bitmap.takeWord(0)).isZero();
        assertThat(bitmap.isSet(64)).isTrue();
        assertThat(bitmap.words()).isEqualTo(4);
    }

    @Test
    void theNextClearPageSkipsSetPagesAcrossWordsAndStopsAtTheEnd() {
        PageBitmap bitmap = new PageBitmap(200);
        bitmap.setRange(0, 130);
        bitmap.setRange(131, 69);

        assertThat(bitmap.nextClear(0, 200)).isEqualTo(130);
        assertThat(bitmap.nextClear(131, 200)).isEqualTo(200);
        assertThat(new PageBitmap(10).nextClear(3, 10)).isEqualTo(3);
    }
}
