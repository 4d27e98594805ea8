package migration.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LineQueueTest {

    private static LineQueue of(String text) {
        return LineQueue.reading(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "test-lines");
    }

    @Test
    void awaitingALinePassesOverTheOthersAndGivesItsRest() throws Exception {
        LineQueue lines = of("starting\nlistening on 127.0.0.1:4444\n");

        assertThat(lines.await("listening on ", 10, "the receiver")).isEqualTo("127.0.0.1:4444");
        assertThat(lines.firstNanos()).isPositive();
    }

    @Test
    void aStreamThatEndsBeforeTheLineSaysSoWithItsLastLines() {
        LineQueue lines = of("one\ntwo\nthree\nfour\n");

        assertThatThrownBy(() -> lines.await("listening on ", 10, "the receiver")).isInstanceOf(IOException.class)
                .hasMessage("the receiver ended before writing 'listening on …': two / three / four");
        assertThat(lines.lines()).containsExactly("one", "two", "three", "four");
    }

    @Test
    void theEndOfTheStreamIsSaidAgainToEveryLaterWait() throws Exception {
        LineQueue lines = of("");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);

        assertThat(lines.next(deadline)).isEqualTo(LineQueue.END);
        assertThat(lines.next(deadline)).isEqualTo(LineQueue.END);
        assertThat(lines.firstNanos()).isZero();
    }
}
