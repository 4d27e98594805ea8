package io.channel.linux;

import io.channel.NativeIOException;
import io.channel.linux.internal.Errors;
import io.channel.linux.internal.gen.cmsghdr;
import io.channel.linux.internal.gen.sock_extended_err;
import io.channel.linux.internal.gen.socket_h;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the control messages of one {@code recvmsg(fd, MSG_ERRQUEUE)} into zero-copy notifications.
 * Pure parsing of memory, no kernel: testable with hand-built buffers.
 *
 * <p>Format ({@code Documentation/networking/msg_zerocopy.rst}, {@code linux/errqueue.h},
 * {@code man 3 cmsg}): one or more {@code struct cmsghdr}, each followed at {@code CMSG_DATA} (the header
 * size rounded up to {@code CMSG_ALIGN}, 8 on x86_64) by a {@code struct sock_extended_err}; the next
 * header starts at {@code CMSG_ALIGN(cmsg_len)}. IPv4 sockets get level {@code SOL_IP} type
 * {@code IP_RECVERR}; IPv6 sockets, including dual-stack ones talking to IPv4 peers, get {@code SOL_IPV6}
 * {@code IPV6_RECVERR}. Anything else on this queue is unexpected and reported as an error.
 */
final class ErrorQueueMessages {

    /** {@code CMSG_ALIGN} on x86_64 LP64: {@code sizeof(size_t)} (bits/socket.h). */
    // IMPORTANT: must match the generated cmsghdr layout's alignment (x86_64 only, see jextract/README.md).
    private static final long CMSG_ALIGNMENT = cmsghdr.layout().byteAlignment();
    /** {@code CMSG_DATA} offset: the header rounded up to the alignment. */
    private static final long CMSG_DATA_OFFSET = align(cmsghdr.sizeof());

    private ErrorQueueMessages() {
    }

    private static long align(long length) {
        return (length + CMSG_ALIGNMENT - 1) & -CMSG_ALIGNMENT;
    }

    /**
     * Parses the control buffer of one error-queue message.
     *
     * @param control       the control buffer passed as {@code msg_control}
     * @param controlLength {@code msg_controllen} as the kernel left it
     * @param messageFlags  {@code msg_flags} as the kernel left it
     * @param errors        for {@code strerror} in messages
     * @return the notifications, in order
     * @throws IOException if the buffer was truncated ({@code MSG_CTRUNC}: a completion was lost), a message is
     *                     malformed or unexpected, or a notification reports an error
     */
    static List<ZeroCopyNotification> parse(MemorySegment control, long controlLength, int messageFlags,
                                            Errors errors) throws IOException {
        if ((messageFlags & socket_h.MSG_CTRUNC()) != 0) {
            // man 2 recvmsg: MSG_CTRUNC means control data was discarded; the notification is gone for good.
            throw new IOException("recvmsg(MSG_ERRQUEUE) set MSG_CTRUNC: a " + control.byteSize()
                    + "-byte control buffer was too small and zero-copy completions were lost");
        }
        if (controlLength < 0 || controlLength > control.byteSize()) {
            throw new IOException("recvmsg(MSG_ERRQUEUE) returned msg_controllen " + controlLength
                    + " for a " + control.byteSize() + "-byte buffer");
        }
        List<ZeroCopyNotification> notifications = new ArrayList<>(1);
        long offset = 0;
        // CMSG_FIRSTHDR / CMSG_NXTHDR (bits/socket.h): a header must fit entirely in msg_controllen.
        while (offset + cmsghdr.sizeof() <= controlLength) {
            MemorySegment header = control.asSlice(offset, cmsghdr.sizeof());
            long length = cmsghdr.cmsg_len(header);
            int level = cmsghdr.cmsg_level(header);
            int type = cmsghdr.cmsg_type(header);
            if (length < cmsghdr.sizeof() || offset + length > controlLength) {
                throw new IOException("malformed control message on the error queue: cmsg_len " + length
                        + " at offset " + offset + " of " + controlLength);
            }
            boolean ipv4 = level == socket_h.SOL_IP() && type == socket_h.IP_RECVERR();
            boolean ipv6 = level == socket_h.SOL_IPV6() && type == socket_h.IPV6_RECVERR();
            if (!ipv4 && !ipv6) {
                throw new IOException("unexpected control message on the error queue: level " + level + " type "
                        + type + " (expected SOL_IP/IP_RECVERR or SOL_IPV6/IPV6_RECVERR)");
            }
            if (length < CMSG_DATA_OFFSET + sock_extended_err.sizeof()) {
                throw new IOException("error-queue control message too short for struct sock_extended_err: cmsg_len "
                        + length);
            }
            notifications.add(notification(control.asSlice(offset + CMSG_DATA_OFFSET, sock_extended_err.sizeof()),
                    errors));
            offset += align(length);
        }
        return notifications;
    }

    private static ZeroCopyNotification notification(MemorySegment error, Errors errors) throws IOException {
        int errno = sock_extended_err.ee_errno(error);
        if (errno != 0) {
            throw new NativeIOException("sendmsg(MSG_ZEROCOPY)", errno,
                    "sendmsg(MSG_ZEROCOPY) completion failed: " + errors.strerror(errno));
        }
        // linux/errqueue.h: the u8 fields come out as signed Java bytes.
        int origin = Byte.toUnsignedInt(sock_extended_err.ee_origin(error));
        if (origin != socket_h.SO_EE_ORIGIN_ZEROCOPY()) {
            throw new IOException("unexpected error-queue message: ee_origin " + origin
                    + " (expected SO_EE_ORIGIN_ZEROCOPY " + socket_h.SO_EE_ORIGIN_ZEROCOPY() + ")");
        }
        int code = Byte.toUnsignedInt(sock_extended_err.ee_code(error));
        boolean copied = (code & socket_h.SO_EE_CODE_ZEROCOPY_COPIED()) != 0;
        return new ZeroCopyNotification(sock_extended_err.ee_info(error), sock_extended_err.ee_data(error), copied);
    }
}
