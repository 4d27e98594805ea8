package io.channel.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.linux.internal.gen.cmsghdr;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** {@link RightsMessages}: SCM_RIGHTS control messages from bytes alone. */
class RightsMessagesTest {

    @Test
    void whatIsWrittenReadsBackAndTakesCmsgSpaceBytes() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment control = arena.allocate(RightsMessages.space(3), 8);

            long length = RightsMessages.write(control, new int[] {5, 6, 7});

            // CMSG_SPACE(12) on x86_64: 16 for the header, 12 rounded up to 16.
            assertThat(length).isEqualTo(32);
            assertThat(cmsghdr.cmsg_len(control)).isEqualTo(28);
            assertThat(RightsMessages.read(control, length)).containsExactly(5, 6, 7);
        }
    }

    @Test
    void twoMessagesInOneBufferGiveAllTheirDescriptors() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            long first = RightsMessages.space(1);
            MemorySegment control = arena.allocate(first + RightsMessages.space(2), 8);
            RightsMessages.write(control, new int[] {3});
            RightsMessages.write(control.asSlice(first), new int[] {4, 9});

            assertThat(RightsMessages.read(control, control.byteSize())).containsExactly(3, 4, 9);
        }
    }

    @Test
    void anEmptyControlBufferHasNoDescriptors() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            assertThat(RightsMessages.read(arena.allocate(32, 8), 0)).isEmpty();
        }
    }

    @Test
    void aLengthPastTheBufferIsRefusedKeepingWhatWasReadForClosing() {
        try (Arena arena = Arena.ofConfined()) {
            long first = RightsMessages.space(1);
            MemorySegment control = arena.allocate(first + RightsMessages.space(1), 8);
            RightsMessages.write(control, new int[] {11});
            RightsMessages.write(control.asSlice(first), new int[] {12});
            cmsghdr.cmsg_len(control.asSlice(first), 4096);

            assertThatThrownBy(() -> RightsMessages.read(control, control.byteSize()))
                    .isInstanceOfSatisfying(RightsMessages.Malformed.class,
                            e -> assertThat(e.descriptors()).containsExactly(11))
                    .hasMessageContaining("has length 4096");
        }
    }
}
