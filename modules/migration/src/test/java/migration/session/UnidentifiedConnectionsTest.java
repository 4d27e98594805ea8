package migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnidentifiedConnectionsTest {

    private final UnidentifiedConnections<String> book = new UnidentifiedConnections<>(2, Duration.ofNanos(100));

    @Test
    void aConnectionBeyondTheLimitIsRefusedAndCounted() {
        assertThat(book.admit("a", 0)).isTrue();
        assertThat(book.admit("b", 0)).isTrue();
        assertThat(book.admit("c", 0)).isFalse();
        assertThat(book.dropped()).isOne();
        assertThat(book.summary()).isEqualTo(" (1 connection that did not identify as this migration's dropped, the"
                + " last: more than 2 connections were waiting to identify themselves)");
    }

    @Test
    void anIdentifiedConnectionLeavesUncountedAndMakesRoom() {
        book.admit("a", 0);
        book.admit("b", 0);
        assertThat(book.identified("a")).isTrue();
        assertThat(book.admit("c", 0)).isTrue();
        assertThat(book.dropped()).isZero();
        assertThat(book.summary()).isEmpty();
    }

    @Test
    void connectionsPastTheirDeadlineExpireOnceEach() {
        book.admit("a", 0);
        book.admit("b", 50);
        assertThat(book.expire(120, "too slow")).containsExactly("a");
        assertThat(book.expire(120, "too slow")).isEmpty();
        assertThat(book.expire(151, "too slow")).containsExactly("b");
        assertThat(book.dropped()).isEqualTo(2);
    }

    @Test
    void aConnectionDroppedTwiceIsCountedOnce() {
        book.admit("a", 0);
        assertThat(book.expire(200, "too slow")).containsExactly("a");
        assertThat(book.drop("a", "closed")).isFalse();
        assertThat(book.identified("a")).as("too late to identify").isFalse();
        assertThat(book.dropped()).isOne();
        assertThat(book.summary()).endsWith("the last: too slow)");
    }

    @Test
    void dropAllEmptiesTheBookAndCountsEach() {
        book.admit("a", 0);
        book.admit("b", 0);
        assertThat(book.dropAll("done")).containsExactly("a", "b");
        assertThat(book.contains("a")).isFalse();
        assertThat(book.dropped()).isEqualTo(2);
    }
}
