package migration.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PeerTextTest {

    @Test
    void plainTextIsOnlyQuoted() {
        assertThat(PeerText.quote("unknown ram block 'ram1' (größe)")).isEqualTo("\"unknown ram block 'ram1' (größe)\"");
    }

    @Test
    void escapeSequencesAndLineBreaksAreEscaped() {
        assertThat(PeerText.quote("\u001b[2J\u009b31m done\r\n\tok\u007f"))
                .isEqualTo("\"\\x1b[2J\\x9b31m done\\r\\n\\tok\\x7f\"");
    }

    @Test
    void invisibleFormattingCharactersAreEscaped() {
        assertThat(PeerText.quote("a\u202eb\u200bc\u2028")).isEqualTo("\"a\\u{202e}b\\u{200b}c\\u{2028}\"");
    }

    @Test
    void quotesAndBackslashesCannotEndTheQuote() {
        assertThat(PeerText.quote("x\" forged \\")).isEqualTo("\"x\\\" forged \\\\\"");
    }

    @Test
    void longTextIsCutSayingHowMuchWasLeftOut() {
        String quoted = PeerText.quote("y".repeat(PeerText.MAX_CHARS + 10));
        assertThat(quoted).isEqualTo("\"" + "y".repeat(PeerText.MAX_CHARS) + "\" (cut: 10 more characters)");
    }

    @Test
    void malformedUtf8IsReplaced() {
        assertThat(PeerText.quote(new byte[] {'o', 'k', (byte) 0xff})).isEqualTo("\"ok\uFFFD\"");
    }

    @Test
    void charactersOutsideTheBasicPlaneCountAsOne() {
        String emoji = new String(Character.toChars(0x1F600));
        assertThat(PeerText.quote(emoji.repeat(PeerText.MAX_CHARS + 1)))
                .endsWith(emoji + "\" (cut: 1 more characters)");
        assertThat(PeerText.quote("a".getBytes(StandardCharsets.UTF_8))).isEqualTo("\"a\"");
    }
}
