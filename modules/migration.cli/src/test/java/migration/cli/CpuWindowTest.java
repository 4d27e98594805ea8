package migration.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import testkit.JsonReader;

class CpuWindowTest {

    @Test
    void aWindowNeverOpenedHasNoFigures() {
        CpuWindow window = new CpuWindow();

        window.close();

        assertThat(window.json()).isEmpty();
    }

    @Test
    void aWindowOpenedButNotClosedHasNoFigures() {
        CpuWindow window = new CpuWindow();

        window.open();

        assertThat(window.json()).isEmpty();
    }

    @Test
    void aClosedWindowGivesTheCpuBeforeItAndInsideIt() {
        CpuWindow window = new CpuWindow();

        window.open();
        window.close();

        assertThat(window.json()).containsOnlyKeys("before-migration", "migration");
        assertThat((Long) window.json().get("before-migration")).isPositive();
        assertThat((Long) window.json().get("migration")).isNotNegative();
    }

    @Test
    void theWindowOpensAtTheFirstOpenOnly() {
        CpuWindow window = new CpuWindow();
        window.open();
        window.close();
        Object before = window.json().get("before-migration");

        window.open();
        window.close();

        assertThat(window.json().get("before-migration")).isEqualTo(before);
    }

    @Test
    void aMemberIsAddedAtTheEndOfAJsonObject() {
        String document = Outcome.withMember("{\"status\":\"completed\",\"total-time\":12}", "process-cpu",
                Map.of("migration", 3L));

        assertThat(document).isEqualTo("{\"status\":\"completed\",\"total-time\":12,\"process-cpu\":{\"migration\":3}}");
        assertThat(JsonReader.object(document)).containsEntry("total-time", 12L);
    }

    @Test
    void aMemberIsAddedToAnEmptyJsonObject() {
        assertThat(Outcome.withMember("{}", "a", 1L)).isEqualTo("{\"a\":1}");
    }

    @Test
    void addingAMemberToWhatIsNotAJsonObjectIsRefused() {
        assertThatThrownBy(() -> Outcome.withMember("[1]", "a", 1L)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a JSON object: [1]");
    }
}
