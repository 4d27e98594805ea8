package io.channel.linux;

import io.channel.linux.internal.Errors;
import io.channel.linux.internal.Syscalls;
import io.channel.linux.internal.gen.cmsghdr;
import io.channel.linux.internal.gen.errno_h;
import io.channel.linux.internal.gen.iovec;
import io.channel.linux.internal.gen.msghdr;
import io.channel.linux.internal.gen.poll_h;
import io.channel.linux.internal.gen.pollfd;
import io.channel.linux.internal.gen.rlimit;
import io.channel.linux.internal.gen.sock_extended_err;
import io.channel.linux.internal.gen.socket_h;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A scripted kernel for one socket: sendmsg answers from a script (bytes or -errno; full sends when the
 * script is empty), each successful MSG_ZEROCOPY send consumes an id whose completion is held back until
 * the next poll (as a real completion arrives a little later), and the error queue hands out one
 * notification per recvmsg(MSG_ERRQUEUE); a plain recvmsg scatters the next scripted chunk of data over the
 * message's iovecs (its whole length must fit) and says end of stream when there is none. The critical send and
 * recv take the same script and data (a recv takes what fits and leaves the rest for the next read), and say
 * which memory they were given; a recv answers with the next scripted -errno first, if any. Everything that
 * happens is logged for assertions.
 */
class FakeKernel implements Syscalls {

    /** One sendmsg (or send: {@code call}) as the channel made it; a send has one "iovec", its buffer. */
    record Send(String call, int flags, int iovecs, long bytes, byte[] firstBytes, boolean heap) {
        boolean zeroCopy() {
            return (flags & socket_h.MSG_ZEROCOPY()) != 0;
        }
    }

    /** One plain recvmsg (or recv: {@code call}) as the channel made it: its iovec lengths, its flags. */
    record Receive(String call, List<Long> iovecLengths, int flags, boolean heap) {
    }

    final Deque<Long> sendScript = new ArrayDeque<>();
    final Deque<byte[]> dataToRead = new ArrayDeque<>();
    /** Errors (-errno) the next recv calls return before they read. */
    final Deque<Long> receiveScript = new ArrayDeque<>();
    final List<Receive> receives = new ArrayList<>();
    /** msg_flags the next plain recvmsg calls report (with no control data), such as MSG_CTRUNC. */
    final Deque<Integer> receiveFlags = new ArrayDeque<>();
    final List<Send> sends = new ArrayList<>();
    final List<String> log = new ArrayList<>();
    final Deque<ZeroCopyNotification> errorQueue = new ArrayDeque<>();
    /** Ids sent but not yet completed; released as one merged range on the next poll. */
    final Deque<Integer> inFlight = new ArrayDeque<>();
    boolean completionsCopied = true;
    int nextId;
    private final Errors errors = new Errors(this);

    @Override
    public Errors errors() {
        return errors;
    }

    @Override
    public long sendmsg(int fd, MemorySegment message, int flags) {
        int count = (int) msghdr.msg_iovlen(message);
        MemorySegment vector = msghdr.msg_iov(message);
        long bytes = 0;
        for (int i = 0; i < count; i++) {
            bytes += iovec.iov_len(iovec.asSlice(vector, i));
        }
        MemorySegment first = iovec.iov_base(iovec.asSlice(vector, 0));
        long firstLength = Math.min(16, iovec.iov_len(iovec.asSlice(vector, 0)));
        byte[] head = first.asSlice(0, firstLength).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        return scriptedSend(new Send("sendmsg", flags, count, bytes, head, false));
    }

    @Override
    public long send(int fd, MemorySegment buffer, long length, int flags) {
        byte[] head = buffer.asSlice(0, Math.min(16, length)).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        return scriptedSend(new Send("send", flags, 1, length, head, !buffer.isNative()));
    }

    private long scriptedSend(Send send) {
        sends.add(send);
        long result = sendScript.isEmpty() ? send.bytes() : sendScript.poll();
        log.add(send.call() + " " + result);
        if (result > 0 && send.zeroCopy()) {
            inFlight.add(nextId++);
        }
        return result;
    }

    @Override
    public long recvmsg(int fd, MemorySegment message, int flags) {
        if ((flags & socket_h.MSG_ERRQUEUE()) == 0) {
            return receive(message);
        }
        ZeroCopyNotification next = errorQueue.poll();
        if (next == null) {
            return -errno_h.EAGAIN();
        }
        log.add("recvmsg(MSG_ERRQUEUE) [" + next.first() + ", " + next.last() + "]");
        MemorySegment control = msghdr.msg_control(message);
        long length = cmsghdr.sizeof() + sock_extended_err.sizeof();
        MemorySegment header = control.asSlice(0, cmsghdr.sizeof());
        cmsghdr.cmsg_len(header, length);
        cmsghdr.cmsg_level(header, socket_h.SOL_IP());
        cmsghdr.cmsg_type(header, socket_h.IP_RECVERR());
        MemorySegment error = control.asSlice(cmsghdr.sizeof(), sock_extended_err.sizeof());
        sock_extended_err.ee_errno(error, 0);
        sock_extended_err.ee_origin(error, (byte) socket_h.SO_EE_ORIGIN_ZEROCOPY());
        sock_extended_err.ee_code(error, (byte) (next.copied() ? socket_h.SO_EE_CODE_ZEROCOPY_COPIED() : 0));
        sock_extended_err.ee_info(error, next.first());
        sock_extended_err.ee_data(error, next.last());
        msghdr.msg_controllen(message, length);
        msghdr.msg_flags(message, socket_h.MSG_ERRQUEUE());
        return 0;
    }

    private long receive(MemorySegment message) {
        int count = (int) msghdr.msg_iovlen(message);
        MemorySegment vector = msghdr.msg_iov(message);
        List<Long> lengths = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            lengths.add(iovec.iov_len(iovec.asSlice(vector, i)));
        }
        receives.add(new Receive("recvmsg", List.copyOf(lengths), 0, false));
        Integer flags = receiveFlags.poll();
        if (flags != null) {
            msghdr.msg_flags(message, flags);
            msghdr.msg_controllen(message, 0);
        }
        byte[] data = dataToRead.poll();
        if (data == null) {
            return 0;
        }
        int done = 0;
        for (int i = 0; i < count && done < data.length; i++) {
            MemorySegment entry = iovec.asSlice(vector, i);
            int size = (int) Math.min(iovec.iov_len(entry), data.length - done);
            MemorySegment.copy(MemorySegment.ofArray(data), done, iovec.iov_base(entry), 0, size);
            done += size;
        }
        if (done < data.length) {
            throw new IllegalStateException("scripted data of " + data.length + " bytes does not fit the read");
        }
        return done;
    }

    @Override
    public long recv(int fd, MemorySegment buffer, long length, int flags) {
        receives.add(new Receive("recv", List.of(length), flags, !buffer.isNative()));
        if (!receiveScript.isEmpty()) {
            long result = receiveScript.poll();
            log.add("recv " + result);
            return result;
        }
        byte[] data = dataToRead.poll();
        if (data == null) {
            log.add("recv 0");
            return 0;
        }
        int size = (int) Math.min(length, data.length);
        MemorySegment.copy(MemorySegment.ofArray(data), 0, buffer, 0, size);
        if (size < data.length) {
            dataToRead.addFirst(java.util.Arrays.copyOfRange(data, size, data.length));
        }
        log.add("recv " + size);
        return size;
    }

    /** Moves every held-back completion to the error queue as one merged range. */
    void completeInFlight() {
        if (!inFlight.isEmpty()) {
            errorQueue.add(new ZeroCopyNotification(inFlight.getFirst(), inFlight.getLast(), completionsCopied));
            inFlight.clear();
        }
    }

    @Override
    public int poll(MemorySegment fds, long count, int timeoutMillis) {
        int events = pollfd.events(fds);
        completeInFlight();
        int revents = (events & (poll_h.POLLOUT() | poll_h.POLLIN()))
                | (errorQueue.isEmpty() ? 0 : poll_h.POLLERR());
        log.add("poll events=" + events + " revents=" + revents);
        pollfd.revents(fds, (short) revents);
        return revents == 0 ? 0 : 1;
    }

    @Override
    public int shutdown(int fd, int how) {
        log.add("shutdown " + how);
        return 0;
    }

    @Override
    public int close(int fd) {
        log.add("close " + fd);
        return 0;
    }

    @Override
    public int getrlimit(int resource, MemorySegment limit) {
        rlimit.rlim_cur(limit, 65536);
        rlimit.rlim_max(limit, 65536);
        return 0;
    }

    @Override
    public String strerror(int errno) {
        return "fake error " + errno;
    }

    @Override
    public int socket(int domain, int type, int protocol) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int setsockopt(int fd, int level, int name, MemorySegment value, int length) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment length) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int connect(int fd, MemorySegment address, int length) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int bind(int fd, MemorySegment address, int length) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int listen(int fd, int backlog) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int accept4(int fd, MemorySegment address, MemorySegment length, int flags) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int getsockname(int fd, MemorySegment address, MemorySegment length) {
        throw new UnsupportedOperationException();
    }

    @Override
    public int getpeername(int fd, MemorySegment address, MemorySegment length) {
        throw new UnsupportedOperationException();
    }

    @Override
    public long mmapAnonymous(long length, int prot, int flags) {
        throw new UnsupportedOperationException("the fake kernel has no memory calls");
    }

    @Override
    public int munmap(long address, long length) {
        throw new UnsupportedOperationException("the fake kernel has no memory calls");
    }

    @Override
    public int madvise(long address, long length, int advice) {
        throw new UnsupportedOperationException("the fake kernel has no memory calls");
    }

    @Override
    public int userfaultfd(int flags) {
        throw new UnsupportedOperationException("the fake kernel has no dirty-tracking calls");
    }

    @Override
    public int ioctl(int fd, long request, MemorySegment arg) {
        throw new UnsupportedOperationException("the fake kernel has no dirty-tracking calls");
    }

    @Override
    public int open(MemorySegment path, int flags) {
        throw new UnsupportedOperationException("the fake kernel has no dirty-tracking calls");
    }

    @Override
    public long mmap(long length, int prot, int flags, int fd, long offset) {
        throw new UnsupportedOperationException("the fake kernel has no memory calls");
    }

    @Override
    public int mprotect(long address, long length, int prot) {
        throw new UnsupportedOperationException("the fake kernel has no memory calls");
    }

    @Override
    public int memfdCreate(MemorySegment name, int flags) {
        throw new UnsupportedOperationException("the fake kernel has no memory calls");
    }

    @Override
    public int ftruncate(int fd, long length) {
        throw new UnsupportedOperationException("the fake kernel has no memory calls");
    }

    @Override
    public int fcntl(int fd, int command, int argument) {
        throw new UnsupportedOperationException("the fake kernel has no memory calls");
    }

    @Override
    public int fstat(int fd, MemorySegment status) {
        throw new UnsupportedOperationException("the fake kernel has no memory calls");
    }
}
