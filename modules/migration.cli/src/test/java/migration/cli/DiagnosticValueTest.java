package migration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code info --json} gives counts and sizes as numbers. */
class DiagnosticValueTest {

    @Test
    void aSizeInBytesIsANumber() {
        assertThat(DiagnosticValue.of("131072 bytes")).isEqualTo(131072L);
    }

    @Test
    void aNumberWithANoteIsTheNumber() {
        assertThat(DiagnosticValue.of("8380416 bytes (larger sends get ENOBUFS and are copied)")).isEqualTo(8380416L);
        assertThat(DiagnosticValue.of("about 157 (optmem_max / 832 bytes per record)")).isEqualTo(157L);
    }

    @Test
    void labelledPartsBecomeAnObject() {
        assertThat(DiagnosticValue.of("8388608 bytes (soft), unlimited (hard)"))
                .isEqualTo(Map.of("soft", 8388608L, "hard", "unlimited"));
    }

    @Test
    void wordsStayText() {
        assertThat(DiagnosticValue.of("unlimited")).isEqualTo("unlimited");
        assertThat(DiagnosticValue.of("yes (CAP_IPC_LOCK: memlock not enforced)"))
                .isEqualTo("yes (CAP_IPC_LOCK: memlock not enforced)");
        assertThat(DiagnosticValue.of("no: needs --enable-native-access=io.channel.linux, or run from the image"))
                .isEqualTo("no: needs --enable-native-access=io.channel.linux, or run from the image");
    }
}
