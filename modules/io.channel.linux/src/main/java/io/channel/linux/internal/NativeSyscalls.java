package io.channel.linux.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The real {@link Syscalls}: hand-written FFM downcalls into the C library.
 *
 * <p><b>Why not jextract:</b> the structs and constants these calls use are generated
 * ({@code io.channel.linux.internal.gen}), but the functions are bound here by hand, because (1) current
 * jextract binds functions through {@code SymbolLookup.findOrThrow}, which exists only since JDK 23 while
 * this project compiles with {@code --release 22}, and (2) every call needs {@code errno}, which takes
 * {@link Linker.Option#captureCallState(String...) Linker.Option.captureCallState("errno")} on the
 * downcall handle; jextract cannot generate that (see {@code jextract/README.md}).
 *
 * <p>Each function has one shape: a {@code static final MethodHandle} in its own lazy holder class (so a
 * missing symbol only fails the call that needs it, with {@code UnsatisfiedLinkError("unresolved symbol:
 * ...")}), and a typed wrapper that allocates the errno capture state in a confined arena for the call.
 * A {@link Throwable} from {@code invokeExact} can only be a binding bug and becomes an
 * {@link AssertionError}. Types follow the x86_64 LP64 ABI: {@code ssize_t}, {@code size_t} and
 * {@code nfds_t} are {@code long}; {@code socklen_t} is a 32-bit {@code int}.
 */
@SuppressWarnings("restricted") // binding C functions is what this class is for; the module needs native access
public final class NativeSyscalls implements Syscalls {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_STATE.varHandle(PathElement.groupElement("errno"));

    private NativeSyscalls() {
    }

    /** {@return the one instance} Binding happens per function, on first use. */
    static NativeSyscalls instance() {
        return Instance.INSTANCE;
    }

    private static final class Instance {
        static final NativeSyscalls INSTANCE = new NativeSyscalls();
    }

    private static MethodHandle bind(String name, FunctionDescriptor descriptor, boolean captureErrno) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("unresolved symbol: " + name));
        return captureErrno
                ? LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"))
                : LINKER.downcallHandle(symbol, descriptor);
    }

    private static MethodHandle bindWithErrno(String name, FunctionDescriptor descriptor) {
        return bind(name, descriptor, true);
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static int result(int value, MemorySegment state) {
        return value == -1 ? -errno(state) : value;
    }

    private static long result(long value, MemorySegment state) {
        return value == -1 ? -errno(state) : value;
    }

    // --- socket ----------------------------------------------------------------------------------------

    private static final class Socket {
        static final MethodHandle HANDLE = bindWithErrno("socket",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }

    @Override
    public int socket(int domain, int type, int protocol) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_STATE);
            int value;
            try {
                value = (int) Socket.HANDLE.invokeExact(state, domain, type, protocol);
            } catch (Throwable t) {
                throw new AssertionError("socket", t);
            }
            return result(value, state);
        }
    }

    // --- setsockopt / getsockopt -----------------------------------------------------------------------

    private static final class SetSockOpt {
        static final MethodHandle HANDLE = bindWithErrno("setsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    @Override
    public int setsockopt(int fd, int level, int name, MemorySegment value, int length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_STATE);
            int r;
            try {
                r = (int) SetSockOpt.HANDLE.invokeExact(state, fd, level, name, value, length);
            } catch (Throwable t) {
                throw new AssertionError("setsockopt", t);
            }
            return result(r, state);
        }
    }

    private static final class GetSockOpt {
        static final MethodHandle HANDLE = bindWithErrno("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    @Override
    public int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_STATE);
            int r;
            try {
                r = (int) GetSockOpt.HANDLE.invokeExact(state, fd, level, name, value, length);
            } catch (Throwable t) {
                throw new AssertionError("getsockopt", t);
            }
            return result(r, state);
        }
    }

    // --- connect / bind / listen / accept4 -------------------------------------------------------------

    private static final class Connect {
        static final MethodHandle HANDLE = bindWithErrno("connect",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    @Override
    public int connect(int fd, MemorySegment address, int length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_STATE);
            int r;
            try {
                r = (int) Connect.HANDLE.invokeExact(state, fd, address, length);
            } catch (Throwable t) {
                throw new AssertionError("connect", t);
            }
            return result(r, state);
        }
    }

    private static final class Bind {
        static final MethodHandle HANDLE = bindWithErrno("bind",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    @Override
    public int bind(int fd, MemorySegment address, int length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_STATE);
            int r;
            try {
                r = (int) Bind.HANDLE.invokeExact(state, fd, address, length);
            } catch (Throwable t) {
                throw new AssertionError("bind", t);
            }
            return result(r, state);
        }
    }

    private static final class Listen {
        static final MethodHandle HANDLE = bindWithErrno("listen",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    @Override
    public int listen(int fd, int backlog) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_STATE);
            int r;
            try {
                r = (int) Listen.HANDLE.invokeExact(state, fd, backlog);
            } catch (Throwable t) {
                throw new AssertionError("listen", t);
            }
            return result(r, state);
        }
    }

    private static final class Accept4 {
        static final MethodHandle HANDLE = bindWithErrno("accept4",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    }

    @Override
    public int accept4(int fd, MemorySegment address, MemorySegment length, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_STATE);
            int r;
            try {
                r = (int) Accept4.HANDLE.invokeExact(state, fd, address, length, flags);
            } catch (Throwable t) {
                throw new AssertionError("accept4", t);
            }
            return result(r, state);
        }
    }

    // --- getsockname / getpeername ---------------------------------------------------------------------

    private static final class GetSockName {
        static final MethodHandle HANDLE = bindWithErrno("getsockname",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    @Override
    public int getsockname(int fd, MemorySegment address, MemorySegment length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_STATE);
            int r;
            try {
                r = (int) GetSockName.HANDLE.invokeExact(state, fd, address, length);
            } catch (Throwable t) {
                throw new AssertionError("getsockname", t);
            }
            return result(r, state);
        }
    }

    private static final class GetPeerName {
        static final MethodHandle HANDLE = bindWithErrno("getpeername",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    @Override
    public int getpeername(int fd, MemorySegment address, MemorySegment length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_STATE);
            int r;
            try {
                r = (int) GetPeerName.HANDLE.invokeExact(state, fd, address, length);
            } catch (Throwable t) {
                throw new AssertionError("getpeername", t);
            }
            return result(r, state);
        }
    }

    // --- sendmsg / recvmsg -----------------------------------------------------------------------------

    private static final class SendMsg {
        static final MethodHandle HANDLE = bindWithErrno("sendmsg",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    }

    @Override
    public long sendmsg(int fd, MemorySegment message, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_STATE);
            long r;
            try {
                r = (long) SendMsg.HANDLE.invokeExact(state, fd, message, flags);
            } catch (Throwable t) {
                throw new AssertionError("sendmsg", t);
            }
            return result(r, state);
        }
    }

    private static final class RecvMsg {
        static final MethodHandle HANDLE = bindWithErrno("recvmsg",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    }

    @Override
    public long recvmsg(int fd, MemorySegment message, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_STATE);
            long r;
            try {
                r = (long) RecvMsg.HANDLE.invokeExact(state, fd, message, flags);
            } catch (Throwable t) {
                throw new AssertionError("recvmsg", t);
            }
            return result(r, state);
        }
    }

    // --- poll / shutdown / close -----------------------------------------------------------------------

    private static final class Poll {
        static final MethodHandle HANDLE = bindWithErrno("poll",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }

    @Override
    public int poll(MemorySegment fds, long count, int timeoutMillis) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_STATE);
            int r;
            try {
                r = (int) Poll.HANDLE.invokeExact(state, fds, count, timeoutMillis);
            } catch (Throwable t) {
                throw new AssertionError("poll", t);
            }
            return result(r, state);
        }
    }

    private static final class Shutdown {
        static final MethodHandle HANDLE = bindWithErrno("shutdown",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    @Override
    public int shutdown(int fd, int how) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_STATE);
            int r;
            try {
                r = (int) Shutdown.HANDLE.invokeExact(state, fd, how);
            } catch (Throwable t) {
                throw new AssertionError("shutdown", t);
            }
            return result(r, state);
        }
    }

    private static final class Close {
        static final MethodHandle HANDLE = bindWithErrno("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    @Override
    public int close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_STATE);
            int r;
            try {
                r = (int) Close.HANDLE.invokeExact(state, fd);
            } catch (Throwable t) {
                throw new AssertionError("close", t);
            }
            return result(r, state);
        }
    }

    // --- getrlimit / strerror --------------------------------------------------------------------------

    private static final class GetRLimit {
        static final MethodHandle HANDLE = bindWithErrno("getrlimit",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }

    @Override
    public int getrlimit(int resource, MemorySegment limit) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_STATE);
            int r;
            try {
                r = (int) GetRLimit.HANDLE.invokeExact(state, resource, limit);
            } catch (Throwable t) {
                throw new AssertionError("getrlimit", t);
            }
            return result(r, state);
        }
    }

    // --- mmap / munmap / madvise -------------------------------------------------------------------------

    private static final class Mmap {
        static final MethodHandle HANDLE = bindWithErrno("mmap",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    }

    @Override
    public long mmapAnonymous(long length, int prot, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_STATE);
            long r;
            try {
                // void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset); pointers as
                // long: the result is compared with MAP_FAILED, (void *) -1.
                r = (long) Mmap.HANDLE.invokeExact(state, 0L, length, prot, flags, -1, 0L);
            } catch (Throwable t) {
                throw new AssertionError("mmap", t);
            }
            return result(r, state);
        }
    }

    private static final class Munmap {
        static final MethodHandle HANDLE = bindWithErrno("munmap",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    }

    @Override
    public int munmap(long address, long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_STATE);
            int r;
            try {
                r = (int) Munmap.HANDLE.invokeExact(state, address, length);
            } catch (Throwable t) {
                throw new AssertionError("munmap", t);
            }
            return result(r, state);
        }
    }

    private static final class Madvise {
        static final MethodHandle HANDLE = bindWithErrno("madvise",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    }

    @Override
    public int madvise(long address, long length, int advice) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE_STATE);
            int r;
            try {
                r = (int) Madvise.HANDLE.invokeExact(state, address, length, advice);
            } catch (Throwable t) {
                throw new AssertionError("madvise", t);
            }
            return result(r, state);
        }
    }

    private static final class StrError {
        // No errno capture: strerror does not fail. glibc returns a static string for known numbers and a
        // thread-local buffer for unknown ones (glibc >= 2.32); the text is copied at once, before this thread
        // can call strerror again.
        static final MethodHandle HANDLE = bind("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT), false);
    }

    @Override
    public String strerror(int errno) {
        MemorySegment text;
        try {
            text = (MemorySegment) StrError.HANDLE.invokeExact(errno);
        } catch (Throwable t) {
            throw new AssertionError("strerror", t);
        }
        if (text.equals(MemorySegment.NULL)) {
            return "errno " + errno;
        }
        // The returned pointer has size 0; reinterpret to read the NUL-terminated string (restricted method).
        return text.reinterpret(Long.MAX_VALUE).getString(0);
    }
}
