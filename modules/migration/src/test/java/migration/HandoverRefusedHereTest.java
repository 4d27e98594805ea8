package migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A HELLO that hands a block over, to a destination that cannot take it (this module's tests have only the
 * portable providers, whose channels pass no descriptors): refused at HELLO, before a page moves, saying why.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandoverRefusedHereTest {

    /** A HELLO for one block of 4096 bytes, handed over (flag bit 1 and the list [0]). */
    private static byte[] helloHandingOver(FakeSource source) {
        byte[] name = "state".getBytes(StandardCharsets.UTF_8);
        ByteBuffer hello = ByteBuffer.allocate(36 + 2 + name.length + 8 + 8);
        hello.putLong(source.id.getMostSignificantBits()).putLong(source.id.getLeastSignificantBits());
        hello.putShort((short) 1).putShort((short) 0).putInt(4096).putInt(128).putInt(2).putInt(1);
        hello.putShort((short) name.length).put(name).putLong(4096);
        hello.putInt(1).putInt(0);
        return hello.array();
    }

    @Test
    void aDestinationWhoseChannelsCannotReceiveDescriptorsRefusesTheHelloSayingWhy() throws Exception {
        try (Arena arena = Arena.ofShared();
             MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                     RamBlockProvider.anonymous(arena), MigrationParameters.defaults().withProvider("copy"));
             FakeSource source = new FakeSource(destination.localAddress())) {
            SocketChannel main = source.connect();
            FakeSource.write(main, ByteBuffer.allocate(8).putInt(FakeSource.MAIN_MAGIC).putInt(FakeSource.VERSION)
                    .flip());
            FakeSource.frame(main, 1, helloHandingOver(source));

            ByteBuffer error = FakeSource.readFrame(main, 7);

            String text = StandardCharsets.UTF_8.decode(error).toString();
            assertThat(text).isEqualTo("the source hands ram block 'state' over, but this destination's channels"
                    + " (provider 'copy') cannot receive descriptors: listen on a Unix domain socket with the Linux"
                    + " provider (module io.channel.linux)");
            assertThatThrownBy(destination::await).isInstanceOf(MigrationException.class).hasMessage(text);
            assertThat(destination.stats().ownership()).isEqualTo(Ownership.SOURCE);
        }
    }
}
