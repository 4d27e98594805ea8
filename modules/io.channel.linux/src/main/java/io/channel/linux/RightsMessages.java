package io.channel.linux;

import io.channel.linux.internal.gen.cmsghdr;
import io.channel.linux.internal.gen.socket_h;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * The control messages that pass descriptors over a Unix domain socket ({@code SCM_RIGHTS}, {@code man 7 unix},
 * {@code man 3 cmsg}): written for {@code sendmsg}, and read back from what {@code recvmsg} returned. A pure
 * function of the bytes, so that it is tested without a kernel.
 *
 * <p>Layout (x86_64 LP64, {@code bits/socket.h}): a {@code struct cmsghdr} of 16 bytes ({@code size_t cmsg_len},
 * {@code int cmsg_level}, {@code int cmsg_type}), then at {@code CMSG_DATA} the {@code int} descriptors;
 * {@code cmsg_len} is {@code CMSG_LEN(4 n)}, and the next header starts at {@code CMSG_ALIGN(cmsg_len)}.
 */
final class RightsMessages {

    /** {@code CMSG_ALIGN} on x86_64 LP64: {@code sizeof(size_t)}. */
    private static final long ALIGNMENT = cmsghdr.layout().byteAlignment();
    /** {@code CMSG_DATA}'s offset: the header rounded up to the alignment. */
    private static final long DATA_OFFSET = align(cmsghdr.sizeof());

    private RightsMessages() {
    }

    private static long align(long length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /** {@return {@code CMSG_SPACE(4 count)}: the control buffer that holds {@code count} descriptors} */
    static long space(int count) {
        return DATA_OFFSET + align(4L * count);
    }

    /**
     * Writes one {@code SCM_RIGHTS} message into {@code control}.
     *
     * @param control     at least {@link #space(int)} bytes
     * @param descriptors the descriptors
     * @return the bytes to give as {@code msg_controllen}
     */
    static long write(MemorySegment control, int[] descriptors) {
        long length = space(descriptors.length);
        control.asSlice(0, length).fill((byte) 0);
        cmsghdr.cmsg_len(control, DATA_OFFSET + 4L * descriptors.length);
        cmsghdr.cmsg_level(control, socket_h.SOL_SOCKET());
        cmsghdr.cmsg_type(control, socket_h.SCM_RIGHTS());
        for (int i = 0; i < descriptors.length; i++) {
            control.set(ValueLayout.JAVA_INT_UNALIGNED, DATA_OFFSET + 4L * i, descriptors[i]);
        }
        return length;
    }

    /**
     * Reads the descriptors of every {@code SCM_RIGHTS} message in a received control buffer. Other messages (a
     * peer's {@code SCM_CREDENTIALS}) are skipped.
     *
     * @param control       the control buffer given to {@code recvmsg}
     * @param controlLength the {@code msg_controllen} the kernel set
     * @return the descriptors, in order; the caller owns them
     * @throws Malformed if a header's length runs past the buffer (the descriptors read so far are in the
     *                     exception's {@link Malformed#descriptors()}, for the caller to close)
     */
    static int[] read(MemorySegment control, long controlLength) throws Malformed {
        List<Integer> found = new ArrayList<>();
        long limit = Math.min(controlLength, control.byteSize());
        long offset = 0;
        // CMSG_FIRSTHDR / CMSG_NXTHDR: a header must fit entirely in msg_controllen.
        while (offset + cmsghdr.sizeof() <= limit) {
            MemorySegment header = control.asSlice(offset);
            long length = cmsghdr.cmsg_len(header);
            if (length < DATA_OFFSET || offset + length > limit) {
                throw new Malformed("control message at offset " + offset + " has length " + length + " (the"
                        + " buffer holds " + limit + " bytes)", toArray(found));
            }
            if (cmsghdr.cmsg_level(header) == socket_h.SOL_SOCKET() && cmsghdr.cmsg_type(header)
                    == socket_h.SCM_RIGHTS()) {
                for (long at = DATA_OFFSET; at + 4 <= length; at += 4) {
                    found.add(header.get(ValueLayout.JAVA_INT_UNALIGNED, at));
                }
            }
            offset += align(length);
        }
        return toArray(found);
    }

    private static int[] toArray(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    /** A control buffer that is not what the kernel writes; holds the descriptors read before the fault. */
    static final class Malformed extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient int[] descriptors;

        Malformed(String message, int[] descriptors) {
            super(message);
            this.descriptors = descriptors;
        }

        /** {@return the descriptors read before the fault, for the caller to close} */
        int[] descriptors() {
            return descriptors.clone();
        }
    }
}
