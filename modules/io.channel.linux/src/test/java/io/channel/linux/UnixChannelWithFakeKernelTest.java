package io.channel.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.TooManyDescriptorsException;
import io.channel.linux.internal.gen.socket_h;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.net.UnixDomainSocketAddress;
import org.junit.jupiter.api.Test;

/** What a Unix domain socket channel makes of what the kernel reports, scripted where a real one cannot be made. */
class UnixChannelWithFakeKernelTest {

    @Test
    void descriptorsDroppedWithRoomLeftAreThisProcesssLimitNotThePeersExcess() throws IOException {
        FakeKernel kernel = new FakeKernel();
        // What recvmsg reports when it cannot install a descriptor here (RLIMIT_NOFILE reached, or a security
        // module refused it): MSG_CTRUNC, and fewer descriptors than the room given (scm_detach_fds).
        kernel.receiveFlags.add(socket_h.MSG_CTRUNC());
        kernel.dataToRead.add(new byte[] {7});
        try (Arena arena = Arena.ofConfined();
             UnixChannel channel = new UnixChannel(kernel, 3, UnixDomainSocketAddress.of(""),
                     UnixDomainSocketAddress.of(""))) {
            assertThatThrownBy(() -> channel.readWithDescriptors(arena.allocate(1), 1))
                    .isInstanceOf(IOException.class)
                    .isNotInstanceOf(TooManyDescriptorsException.class)
                    .hasMessage("the kernel dropped descriptors sent with these bytes although there was room for 1"
                            + " (MSG_CTRUNC with 0 received): this process may have reached its limit of open files"
                            + " (RLIMIT_NOFILE), or a security module refused one; every one received is closed");
        }
        assertThat(kernel.receives).hasSize(1);
    }
}
