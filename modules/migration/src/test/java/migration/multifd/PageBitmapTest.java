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
}
