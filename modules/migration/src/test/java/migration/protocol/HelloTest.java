package migration.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class HelloTest {

    private static final UUID ID = UUID.randomUUID();

    private static Hello hello(List<Hello.BlockInfo> blocks) {
        return new Hello(ID, 2, 4096, 128, blocks);
    }

    @Test
    void aHandshakeSurvivesEncodeAndDecode() throws Exception {
        Hello hello = hello(List.of(new Hello.BlockInfo("ram0", 8192), new Hello.BlockInfo("vga", 1)));
        assertThat(Hello.decode(hello.encode())).isEqualTo(hello);
    }

    @Test
    void aHandshakeWithoutBlocksIsRefused() {
        assertThatThrownBy(() -> Hello.decode(hello(List.of()).encode())).isInstanceOf(ProtocolException.class)
                .hasMessage("main channel, HELLO: block count 0 is outside 1..1024 (nothing to migrate)");
    }

    @Test
    void aBlockNameWithAControlCharacterIsRefusedAndShownEscaped() {
        Frame frame = hello(List.of(new Hello.BlockInfo("a\u009bb", 1))).encode();
        assertThatThrownBy(() -> Hello.decode(frame))
                .hasMessage("main channel, HELLO: the name of block 0, \"a\\x9bb\", contains control or invisible"
                        + " characters");
    }

    private static final List<Hello.BlockInfo> THREE = List.of(new Hello.BlockInfo("a", 4096),
            new Hello.BlockInfo("b", 8192), new Hello.BlockInfo("c", 1));

    @Test
    void aHandshakeThatHandsBlocksOverSurvivesEncodeAndDecode() throws Exception {
        Hello hello = new Hello(ID, 2, 4096, 128, THREE, true, List.of(0, 2));

        assertThat(Hello.decode(hello.encode())).isEqualTo(hello);
        assertThat(hello.encode().body().length).isEqualTo(hello(THREE).encode().body().length + 4 + 8);
    }

    @Test
    void aHandoverListOutOfOrderOrNamingNoBlockIsRefused() {
        assertThatThrownBy(() -> Hello.decode(new Hello(ID, 2, 4096, 128, THREE, false, List.of(2, 1)).encode()))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("main channel, HELLO: handed-over block index 1 is not above 2 and below 3");
        assertThatThrownBy(() -> Hello.decode(new Hello(ID, 2, 4096, 128, THREE, false, List.of(3)).encode()))
                .hasMessage("main channel, HELLO: handed-over block index 3 is not above -1 and below 3");
        assertThatThrownBy(() -> Hello.decode(new Hello(ID, 2, 4096, 128, THREE, false, List.of(0, 1, 2, 2))
                .encode())).hasMessage("main channel, HELLO: 4 blocks handed over, expected 1..3");
    }
}
