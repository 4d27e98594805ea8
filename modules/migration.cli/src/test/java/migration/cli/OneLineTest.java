package migration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the tool prints of text it did not write: one line, no control sequence, a sane length. */
class OneLineTest {

    @Test
    void anEscapeSequenceIsShownNotSent() {
        assertThat(OneLine.of("\u001b[2J\u001b[31mmigration completed"))
                .isEqualTo("\\x1b[2J\\x1b[31mmigration completed");
    }

    @Test
    void lineBreaksBecomeSemicolonsSoAFakeLineCannotStart() {
        assertThat(OneLine.of("failed\nmultifd send: completed, digests verified\r\n"))
                .isEqualTo("failed; multifd send: completed, digests verified");
    }

    @Test
    void aCarriageReturnAloneIsALineBreakToo() {
        assertThat(OneLine.of("bad\rgood")).isEqualTo("bad; good");
    }

    @Test
    void otherControlCharactersAndC1ControlsAreEscaped() {
        assertThat(OneLine.of("a\u0007b\u0000c\u009bd\u007fe\tf")).isEqualTo("a\\x07b\\x00c\\x9bd\\x7fe\\x09f");
    }

    @Test
    void bidirectionalOverridesAndZeroWidthCharactersAreNamed() {
        assertThat(OneLine.of("abc\u202edef\u200b")).isEqualTo("abc\\u{202e}def\\u{200b}");
    }

    @Test
    void aBackslashIsKeptSoWhatTheLibraryEscapedIsNotEscapedTwice() {
        assertThat(OneLine.of("the source failed: \"\\x1b[2J\"")).isEqualTo("the source failed: \"\\x1b[2J\"");
    }

    @Test
    void printableTextInAnyScriptIsKept() {
        assertThat(OneLine.of("Größe 𝄞 ошибка 错误")).isEqualTo("Größe 𝄞 ошибка 错误");
    }

    @Test
    void aLongTextIsCutSayingHowMuchWasLeftOut() {
        String line = OneLine.of("x".repeat(1 << 20));

        assertThat(line).startsWith("x".repeat(OneLine.MAX_LENGTH))
                .endsWith("... (" + ((1 << 20) - OneLine.MAX_LENGTH) + " more characters)")
                .hasSizeLessThan(OneLine.MAX_LENGTH + 40);
    }

    @Test
    void aMissingOrBlankTextIsEmptyAndAnExceptionWithoutMessageGivesItsType() {
        assertThat(OneLine.of((String) null)).isEmpty();
        assertThat(OneLine.of(" \n ")).isEmpty();
        assertThat(OneLine.of(new IllegalStateException())).isEqualTo("IllegalStateException");
    }
}
