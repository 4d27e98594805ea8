package io.channel.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.NativeIOException;
import io.channel.linux.internal.Errors;
import io.channel.linux.internal.gen.cmsghdr;
import io.channel.linux.internal.gen.errno_h;
import io.channel.linux.internal.gen.sock_extended_err;
import io.channel.linux.internal.gen.socket_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Parsing error-queue control messages laid out as the kernel does ({@code include/uapi/linux/errqueue.h},
 * {@code Documentation/networking/msg_zerocopy.rst}, section "Notification Parsing"). */
class ErrorQueueMessagesTest {

    private final Arena arena = Arena.ofConfined();
    private final Errors errors = new FakeKernel().errors();
    private final MemorySegment control = arena.allocate(LinuxChannel.CONTROL_BYTES, 8);

    @AfterEach
    void free() {
        arena.close();
    }

    /** Writes one cmsg the size the kernel uses (48 for IPv4, 60 for IPv6) and returns msg_controllen. */
    private long message(int level, int type, int errno, int origin, int code, int first, int last) {
        long length = level == socket_h.SOL_IPV6() ? 60 : 48;
        MemorySegment header = control.asSlice(0, cmsghdr.sizeof());
        cmsghdr.cmsg_len(header, length);
        cmsghdr.cmsg_level(header, level);
        cmsghdr.cmsg_type(header, type);
        MemorySegment error = control.asSlice(16, sock_extended_err.sizeof());
        sock_extended_err.ee_errno(error, errno);
        sock_extended_err.ee_origin(error, (byte) origin);
        sock_extended_err.ee_code(error, (byte) code);
        sock_extended_err.ee_info(error, first);
        sock_extended_err.ee_data(error, last);
        return level == socket_h.SOL_IPV6() ? 64 : 48;
    }

    private long zeroCopy(int level, int type, int code, int first, int last) {
        return message(level, type, 0, socket_h.SO_EE_ORIGIN_ZEROCOPY(), code, first, last);
    }

    @Test
    void anIpv4NotificationGivesItsRangeAndCopiedCode() throws Exception {
        long length = zeroCopy(socket_h.SOL_IP(), socket_h.IP_RECVERR(), socket_h.SO_EE_CODE_ZEROCOPY_COPIED(), 3, 9);

        assertThat(ErrorQueueMessages.parse(control, length, socket_h.MSG_ERRQUEUE(), errors))
                .containsExactly(new ZeroCopyNotification(3, 9, true));
    }

    @Test
    void anIpv6NotificationIsAcceptedToo() throws Exception {
        long length = zeroCopy(socket_h.SOL_IPV6(), socket_h.IPV6_RECVERR(), 0, 0, 0);

        assertThat(ErrorQueueMessages.parse(control, length, socket_h.MSG_ERRQUEUE(), errors))
                .containsExactly(new ZeroCopyNotification(0, 0, false));
    }

    @Test
    void aRangeAcrossTheWrapKeepsItsUnsignedIds() throws Exception {
        long length = zeroCopy(socket_h.SOL_IP(), socket_h.IP_RECVERR(), 0, 0xFFFF_FFFE, 1);

        assertThat(ErrorQueueMessages.parse(control, length, 0, errors).getFirst().length()).isEqualTo(4);
    }

    @Test
    void aTruncatedControlBufferIsAnError() {
        long length = zeroCopy(socket_h.SOL_IP(), socket_h.IP_RECVERR(), 0, 0, 0);

        assertThatThrownBy(() -> ErrorQueueMessages.parse(control, length, socket_h.MSG_CTRUNC(), errors))
                .hasMessageContaining("MSG_CTRUNC");
    }

    @Test
    void anUnexpectedControlMessageIsAnErrorNamingLevelAndType() {
        long length = zeroCopy(socket_h.SOL_SOCKET(), 37, 0, 0, 0);

        assertThatThrownBy(() -> ErrorQueueMessages.parse(control, length, 0, errors))
                .hasMessageContaining("level " + socket_h.SOL_SOCKET() + " type 37");
    }

    @Test
    void aNotificationCarryingAnErrnoFailsWithItsDescription() {
        long length = message(socket_h.SOL_IP(), socket_h.IP_RECVERR(), errno_h.ENOMEM(),
                socket_h.SO_EE_ORIGIN_ZEROCOPY(), 0, 0, 0);

        assertThatThrownBy(() -> ErrorQueueMessages.parse(control, length, 0, errors))
                .isInstanceOf(NativeIOException.class)
                .hasMessage("sendmsg(MSG_ZEROCOPY) completion failed: fake error " + errno_h.ENOMEM());
    }

    @Test
    void aNotificationFromAnotherOriginIsAnError() {
        long length = message(socket_h.SOL_IP(), socket_h.IP_RECVERR(), 0, socket_h.SO_EE_ORIGIN_NONE(), 0, 0, 0);

        assertThatThrownBy(() -> ErrorQueueMessages.parse(control, length, 0, errors))
                .hasMessageContaining("ee_origin " + socket_h.SO_EE_ORIGIN_NONE());
    }
}
