package io.channel.linux.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.channel.linux.internal.gen.socket_h;
import io.channel.linux.internal.gen.userfaultfd_h;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

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
 * <p><b>Critical bindings:</b> {@code send} and {@code recv} are bound with
 * {@link Linker.Option#critical(boolean) Linker.Option.critical(true)} (JDK 22), so that a heap segment is
 * passed as it is and the kernel copies to or from the Java array itself. Such a call does not leave the Java
 * thread state: the garbage collector and every safepoint wait for it, so these two refuse flags without
 * {@code MSG_DONTWAIT} and their callers wait in {@code poll} (an ordinary downcall) instead.
 *
 * <p>Each function has one shape: a {@code static final MethodHandle} in its own lazy holder class, bound by
 * {@link #bind} (so a missing symbol only fails the call that needs it, with {@code UnsatisfiedLinkError(
 * "unresolved symbol: ...")}), and a one-line typed wrapper that passes {@link #invoke} or {@link #invokeLong}
 * the {@code invokeExact} call. Those two are the one invoke-and-check path: they hand the call the calling
 * thread's errno capture state, turn a {@link Throwable} from {@code invokeExact} (only a binding bug) into an
 * {@link AssertionError}, and return {@code -errno} when the C function returned {@code -1}. Types follow the
 * x86_64 LP64 ABI: {@code ssize_t}, {@code size_t} and {@code nfds_t} are {@code long}; {@code socklen_t} is a
 * 32-bit {@code int}.
 *
 * <p><b>Adding a function:</b> a holder with {@code bind("name", FunctionDescriptor.of(...))} (a variadic C
 * function such as {@code syscall(2)}, {@code ioctl(2)} or {@code open(2)} adds
 * {@code Linker.Option.firstVariadicArg(n)}), a method on {@link Syscalls} documented with its C prototype, and
 * a wrapper {@code return invoke("name", state -> (int) Holder.HANDLE.invokeExact(state, args...));}.
 */
@SuppressWarnings("restricted") // binding C functions is what this class is for; the module needs native access
public final class NativeSyscalls implements Syscalls {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_STATE.varHandle(PathElement.groupElement("errno"));

    /**
     * The errno capture state, owned by the thread that makes the calls and reused by all of them. A thread is
     * in at most one downcall at a time (none of these call back into Java), and {@link #invoke} reads errno
     * before the thread's next call, so one segment per thread is enough. It lives in an automatic arena: the
     * garbage collector frees it once its thread is gone and the thread-local value with it, which makes a
     * confined arena per call (an allocation and a free around every {@code sendmsg}) unnecessary.
     */
    private static final ThreadLocal<MemorySegment> ERRNO_STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_STATE));

    private final Errors errors = new Errors(this);

    private NativeSyscalls() {
    }

    /** {@return the one instance} Binding happens per function, on first use. */
    static NativeSyscalls instance() {
        return Instance.INSTANCE;
    }

    private static final class Instance {
        static final NativeSyscalls INSTANCE = new NativeSyscalls();
    }

    @Override
    public Errors errors() {
        return errors;
    }

    // --- linking ahead -----------------------------------------------------------------------------------

    /**
     * The calls of Unix domain socket channels (connecting or accepting, passing descriptors, waiting, closing)
     * and of a handover (checking, mapping and write-protecting a handed-over descriptor, and its dry run).
     */
    private static final List<Class<?>> UNIX_AND_HANDOVER = List.of(Socket.class, Connect.class, Bind.class,
            Listen.class, Accept4.class, GetSockOpt.class, SendMsg.class, RecvMsg.class, Send.class, Recv.class,
            Poll.class, Shutdown.class, Close.class, StrError.class, Fstat.class, Fcntl.class, Mmap.class,
            Munmap.class, Open.class, MemfdCreate.class, Ftruncate.class, Mprotect.class);

    /** Whether {@link #linkAhead} has started, so that it links once per process. */
    private static final AtomicBoolean LINKING = new AtomicBoolean();

    /**
     * Binds the calls of Unix domain socket channels and of a handover on a daemon thread and returns at once;
     * once per process. Binding a downcall handle generates its stub and method-handle classes, which a fresh JVM
     * pays for in every first call (the JDK caches stubs only per function descriptor); a process that knows it
     * is about to make these calls links them while it still waits (for a source to connect, for its application
     * to hand over), so that the migration does not pay for it. A call that needs a holder meanwhile waits for its
     * initialization, as class initialization does (JLS 12.4.2); a symbol that does not resolve fails the call
     * that needs it, not this.
     */
    public static void linkAhead() {
        if (!LINKING.compareAndSet(false, true)) {
            return;
        }
        Thread.ofPlatform().daemon().name("multifd-link-ahead").start(() -> {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            for (Class<?> holder : UNIX_AND_HANDOVER) {
                try {
                    lookup.ensureInitialized(holder);
                } catch (IllegalAccessException | LinkageError e) {
                    // The call that needs this function reports it when it is made.
                }
            }
        });
    }

    // --- the one binding and invoke-and-check path -------------------------------------------------------

    private static MemorySegment symbol(String name) {
        return LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("unresolved symbol: " + name));
    }

    /**
     * Binds a C function that reports failure through {@code errno}; the handle takes the capture state first.
     *
     * @param name       the symbol
     * @param descriptor its C signature
     * @param options    further linker options, such as {@code Linker.Option.firstVariadicArg(n)}
     * @return the downcall handle
     */
    private static MethodHandle bind(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        Linker.Option[] all = new Linker.Option[options.length + 1];
        all[0] = Linker.Option.captureCallState("errno");
        System.arraycopy(options, 0, all, 1, options.length);
        return LINKER.downcallHandle(symbol(name), descriptor, all);
    }

    /** A downcall of a C function that returns {@code int}, given the errno capture state. */
    @FunctionalInterface
    private interface IntCall {
        int call(MemorySegment errnoState) throws Throwable;
    }

    /** A downcall of a C function that returns {@code long}, {@code ssize_t} or a pointer as a number. */
    @FunctionalInterface
    private interface LongCall {
        long call(MemorySegment errnoState) throws Throwable;
    }

    private static int invoke(String function, IntCall downcall) {
        // An int result widens exactly, -1 included, so the long path checks it too.
        return (int) invokeLong(function, downcall::call);
    }

    private static long invokeLong(String function, LongCall downcall) {
        MemorySegment state = ERRNO_STATE.get();
        long result;
        try {
            result = downcall.call(state);
        } catch (Throwable t) {
            throw new AssertionError(function, t);
        }
        return result == -1 ? -errno(state) : result;
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    // --- sockets -----------------------------------------------------------------------------------------

    private static final class Socket {
        static final MethodHandle HANDLE = bind("socket",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }

    @Override
    public int socket(int domain, int type, int protocol) {
        return invoke("socket", state -> (int) Socket.HANDLE.invokeExact(state, domain, type, protocol));
    }

    private static final class SetSockOpt {
        static final MethodHandle HANDLE = bind("setsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    @Override
    public int setsockopt(int fd, int level, int name, MemorySegment value, int length) {
        return invoke("setsockopt",
                state -> (int) SetSockOpt.HANDLE.invokeExact(state, fd, level, name, value, length));
    }

    private static final class GetSockOpt {
        static final MethodHandle HANDLE = bind("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    @Override
    public int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment length) {
        return invoke("getsockopt",
                state -> (int) GetSockOpt.HANDLE.invokeExact(state, fd, level, name, value, length));
    }

    private static final class Connect {
        static final MethodHandle HANDLE = bind("connect",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    @Override
    public int connect(int fd, MemorySegment address, int length) {
        return invoke("connect", state -> (int) Connect.HANDLE.invokeExact(state, fd, address, length));
    }

    private static final class Bind {
        static final MethodHandle HANDLE = bind("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    @Override
    public int bind(int fd, MemorySegment address, int length) {
        return invoke("bind", state -> (int) Bind.HANDLE.invokeExact(state, fd, address, length));
    }

    private static final class Listen {
        static final MethodHandle HANDLE = bind("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    @Override
    public int listen(int fd, int backlog) {
        return invoke("listen", state -> (int) Listen.HANDLE.invokeExact(state, fd, backlog));
    }

    private static final class Accept4 {
        static final MethodHandle HANDLE = bind("accept4",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    }

    @Override
    public int accept4(int fd, MemorySegment address, MemorySegment length, int flags) {
        return invoke("accept4", state -> (int) Accept4.HANDLE.invokeExact(state, fd, address, length, flags));
    }

    private static final class GetSockName {
        static final MethodHandle HANDLE = bind("getsockname",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    @Override
    public int getsockname(int fd, MemorySegment address, MemorySegment length) {
        return invoke("getsockname", state -> (int) GetSockName.HANDLE.invokeExact(state, fd, address, length));
    }

    private static final class GetPeerName {
        static final MethodHandle HANDLE = bind("getpeername",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    @Override
    public int getpeername(int fd, MemorySegment address, MemorySegment length) {
        return invoke("getpeername", state -> (int) GetPeerName.HANDLE.invokeExact(state, fd, address, length));
    }

    private static final class SendMsg {
        static final MethodHandle HANDLE = bind("sendmsg",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    }

    @Override
    public long sendmsg(int fd, MemorySegment message, int flags) {
        return invokeLong("sendmsg", state -> (long) SendMsg.HANDLE.invokeExact(state, fd, message, flags));
    }

    private static final class RecvMsg {
        static final MethodHandle HANDLE = bind("recvmsg",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    }

    @Override
    public long recvmsg(int fd, MemorySegment message, int flags) {
        return invokeLong("recvmsg", state -> (long) RecvMsg.HANDLE.invokeExact(state, fd, message, flags));
    }

    /**
     * Checks the one rule of the critical bindings below: they must not block ({@link Syscalls#send}).
     *
     * @param flags the call's flags
     * @param call  the function, for the message
     */
    private static void requireDontWait(int flags, String call) {
        if ((flags & socket_h.MSG_DONTWAIT()) == 0) {
            throw new IllegalArgumentException(call + " is bound critical (it holds off the garbage collector"
                    + " until it returns) and must not block: pass MSG_DONTWAIT, flags were " + flags);
        }
    }

    private static final class Send {
        // Critical with heap access: the kernel reads a heap array where it is, no native copy first. Only
        // send(2), not sendmsg(2): a heap segment may only be an argument of the call itself, never an address
        // stored in a struct (an iovec), since the array can move before and after the call.
        static final MethodHandle HANDLE = bind("send",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT),
                Linker.Option.critical(true));
    }

    @Override
    public long send(int fd, MemorySegment buffer, long length, int flags) {
        requireDontWait(flags, "send");
        return invokeLong("send", state -> (long) Send.HANDLE.invokeExact(state, fd, buffer, length, flags));
    }

    private static final class Recv {
        // Critical with heap access, as send above.
        static final MethodHandle HANDLE = bind("recv",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT),
                Linker.Option.critical(true));
    }

    @Override
    public long recv(int fd, MemorySegment buffer, long length, int flags) {
        requireDontWait(flags, "recv");
        return invokeLong("recv", state -> (long) Recv.HANDLE.invokeExact(state, fd, buffer, length, flags));
    }

    private static final class Poll {
        static final MethodHandle HANDLE = bind("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    }

    @Override
    public int poll(MemorySegment fds, long count, int timeoutMillis) {
        return invoke("poll", state -> (int) Poll.HANDLE.invokeExact(state, fds, count, timeoutMillis));
    }

    private static final class Shutdown {
        static final MethodHandle HANDLE = bind("shutdown", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    @Override
    public int shutdown(int fd, int how) {
        return invoke("shutdown", state -> (int) Shutdown.HANDLE.invokeExact(state, fd, how));
    }

    private static final class Close {
        static final MethodHandle HANDLE = bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    @Override
    public int close(int fd) {
        return invoke("close", state -> (int) Close.HANDLE.invokeExact(state, fd));
    }

    // --- process limits ----------------------------------------------------------------------------------

    private static final class GetRLimit {
        static final MethodHandle HANDLE = bind("getrlimit", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }

    @Override
    public int getrlimit(int resource, MemorySegment limit) {
        return invoke("getrlimit", state -> (int) GetRLimit.HANDLE.invokeExact(state, resource, limit));
    }

    // --- memory ------------------------------------------------------------------------------------------

    private static final class Mmap {
        // void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset); pointers as long: the
        // result is compared with MAP_FAILED, (void *) -1.
        static final MethodHandle HANDLE = bind("mmap",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    }

    @Override
    public long mmapAnonymous(long length, int prot, int flags) {
        return invokeLong("mmap", state -> (long) Mmap.HANDLE.invokeExact(state, 0L, length, prot, flags, -1, 0L));
    }

    private static final class Munmap {
        static final MethodHandle HANDLE = bind("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG));
    }

    @Override
    public int munmap(long address, long length) {
        return invoke("munmap", state -> (int) Munmap.HANDLE.invokeExact(state, address, length));
    }

    private static final class Madvise {
        static final MethodHandle HANDLE = bind("madvise",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    }

    @Override
    public int madvise(long address, long length, int advice) {
        return invoke("madvise", state -> (int) Madvise.HANDLE.invokeExact(state, address, length, advice));
    }

    @Override
    public long mmap(long length, int prot, int flags, int fd, long offset) {
        return invokeLong("mmap", state -> (long) Mmap.HANDLE.invokeExact(state, 0L, length, prot, flags, fd, offset));
    }

    private static final class Mprotect {
        static final MethodHandle HANDLE = bind("mprotect",
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    }

    @Override
    public int mprotect(long address, long length, int prot) {
        return invoke("mprotect", state -> (int) Mprotect.HANDLE.invokeExact(state, address, length, prot));
    }

    // --- memory that can be handed over: memfd_create(2), seals (fcntl(2)), fstat(2) ------------------------

    private static final class MemfdCreate {
        // int memfd_create(const char *name, unsigned int flags): glibc 2.27 and later.
        static final MethodHandle HANDLE = bind("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    }

    @Override
    public int memfdCreate(MemorySegment name, int flags) {
        return invoke("memfd_create", state -> (int) MemfdCreate.HANDLE.invokeExact(state, name, flags));
    }

    private static final class Ftruncate {
        static final MethodHandle HANDLE = bind("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    }

    @Override
    public int ftruncate(int fd, long length) {
        return invoke("ftruncate", state -> (int) Ftruncate.HANDLE.invokeExact(state, fd, length));
    }

    private static final class Fcntl {
        // int fcntl(int fd, int command, ...): variadic from the third argument.
        static final MethodHandle HANDLE = bind("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
                Linker.Option.firstVariadicArg(2));
    }

    @Override
    public int fcntl(int fd, int command, int argument) {
        return invoke("fcntl", state -> (int) Fcntl.HANDLE.invokeExact(state, fd, command, argument));
    }

    private static final class Fstat {
        // int fstat(int fd, struct stat *status): an exported symbol since glibc 2.33 (before, a stat.h inline).
        static final MethodHandle HANDLE = bind("fstat", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }

    @Override
    public int fstat(int fd, MemorySegment status) {
        return invoke("fstat", state -> (int) Fstat.HANDLE.invokeExact(state, fd, status));
    }

    // --- dirty tracking: userfaultfd and /proc/self/pagemap ----------------------------------------------

    private static final class Syscall {
        // long syscall(long number, ...): variadic from the second argument.
        static final MethodHandle HANDLE = bind("syscall", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT),
                Linker.Option.firstVariadicArg(1));
    }

    @Override
    public int userfaultfd(int flags) {
        long number = userfaultfd_h.SYS_userfaultfd();
        return (int) invokeLong("syscall(SYS_userfaultfd)",
                state -> (long) Syscall.HANDLE.invokeExact(state, number, flags));
    }

    private static final class Ioctl {
        // int ioctl(int fd, unsigned long request, ...): variadic from the third argument.
        static final MethodHandle HANDLE = bind("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
                Linker.Option.firstVariadicArg(2));
    }

    @Override
    public int ioctl(int fd, long request, MemorySegment arg) {
        return invoke("ioctl", state -> (int) Ioctl.HANDLE.invokeExact(state, fd, request, arg));
    }

    private static final class Open {
        // int open(const char *path, int flags, ...): the mode is only read with O_CREAT or O_TMPFILE.
        static final MethodHandle HANDLE = bind("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT),
                Linker.Option.firstVariadicArg(2));
    }

    @Override
    public int open(MemorySegment path, int flags) {
        return invoke("open", state -> (int) Open.HANDLE.invokeExact(state, path, flags));
    }

    // --- strerror ----------------------------------------------------------------------------------------

    private static final class StrError {
        // No errno capture: strerror does not fail. glibc returns a static string for known numbers and a
        // thread-local buffer for unknown ones (glibc >= 2.32); the text is copied at once, before this thread
        // can call strerror again. Errors caches the copies, so this runs once per errno.
        static final MethodHandle HANDLE = LINKER.downcallHandle(symbol("strerror"),
                FunctionDescriptor.of(ADDRESS, JAVA_INT));
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
