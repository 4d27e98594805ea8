package io.channel.linux.internal;

import java.lang.foreign.MemorySegment;

/**
 * The system calls the Linux provider makes, one method per C function, as an injectable object so that
 * unit tests can run the channel logic against a fake kernel (partial sends, {@code EINTR},
 * {@code ENOBUFS}, error-queue completions) without a socket.
 *
 * <p>Every method except {@link #strerror(int)} follows one convention: it returns what the C function
 * returned when that is not {@code -1}, and <strong>{@code -errno}</strong> when the call failed (the
 * convention of raw Linux system calls). Pointers are {@link MemorySegment}s the caller allocated; the
 * implementation neither keeps nor frees them. {@link NativeSyscalls} is the real one.
 *
 * <p>Each implementation owns one {@link Errors}, returned by {@link #errors()}, so that every user of the same
 * calls shares one errno mapping and its cache of {@code strerror} texts.
 */
public interface Syscalls {

    /** {@return the real system calls, bound through the FFM API; needs native access} */
    static Syscalls nativeSyscalls() {
        return NativeSyscalls.instance();
    }

    /** {@return the errno mapping over these calls: always the same object, made with {@code new Errors(this)}} */
    Errors errors();

    /**
     * {@code int socket(int domain, int type, int protocol)}.
     *
     * @param domain   address family, {@code AF_INET} or {@code AF_INET6}
     * @param type     {@code SOCK_STREAM}, possibly or-ed with {@code SOCK_CLOEXEC}/{@code SOCK_NONBLOCK}
     * @param protocol 0 for the default
     * @return the new descriptor, or {@code -errno}
     */
    int socket(int domain, int type, int protocol);

    /**
     * {@code int setsockopt(int fd, int level, int name, const void *value, socklen_t length)}.
     *
     * @param fd     the socket
     * @param level  the option level, for example {@code SOL_SOCKET}
     * @param name   the option, for example {@code SO_ZEROCOPY}
     * @param value  the option value
     * @param length the size of {@code value} in bytes
     * @return 0, or {@code -errno}
     */
    int setsockopt(int fd, int level, int name, MemorySegment value, int length);

    /**
     * {@code int getsockopt(int fd, int level, int name, void *value, socklen_t *length)}.
     *
     * @param fd     the socket
     * @param level  the option level
     * @param name   the option
     * @param value  receives the value
     * @param length in: the size of {@code value}; out: the size written ({@code socklen_t})
     * @return 0, or {@code -errno}
     */
    int getsockopt(int fd, int level, int name, MemorySegment value, MemorySegment length);

    /**
     * {@code int connect(int fd, const struct sockaddr *address, socklen_t length)}.
     *
     * @param fd      the socket
     * @param address a {@code sockaddr_in} or {@code sockaddr_in6}
     * @param length  its size
     * @return 0, or {@code -errno} ({@code -EINPROGRESS} on a non-blocking socket)
     */
    int connect(int fd, MemorySegment address, int length);

    /**
     * {@code int bind(int fd, const struct sockaddr *address, socklen_t length)}.
     *
     * @param fd      the socket
     * @param address a {@code sockaddr_in} or {@code sockaddr_in6}
     * @param length  its size
     * @return 0, or {@code -errno}
     */
    int bind(int fd, MemorySegment address, int length);

    /**
     * {@code int listen(int fd, int backlog)}.
     *
     * @param fd      the socket
     * @param backlog the backlog
     * @return 0, or {@code -errno}
     */
    int listen(int fd, int backlog);

    /**
     * {@code int accept4(int fd, struct sockaddr *address, socklen_t *length, int flags)}.
     *
     * @param fd      the listening socket
     * @param address receives the peer address ({@code sockaddr_storage})
     * @param length  in: the size of {@code address}; out: the size written
     * @param flags   {@code SOCK_CLOEXEC}, {@code SOCK_NONBLOCK}
     * @return the new descriptor, or {@code -errno}
     */
    int accept4(int fd, MemorySegment address, MemorySegment length, int flags);

    /**
     * {@code int getsockname(int fd, struct sockaddr *address, socklen_t *length)}.
     *
     * @param fd      the socket
     * @param address receives the address
     * @param length  in/out size
     * @return 0, or {@code -errno}
     */
    int getsockname(int fd, MemorySegment address, MemorySegment length);

    /**
     * {@code int getpeername(int fd, struct sockaddr *address, socklen_t *length)}.
     *
     * @param fd      the socket
     * @param address receives the address
     * @param length  in/out size
     * @return 0, or {@code -errno}
     */
    int getpeername(int fd, MemorySegment address, MemorySegment length);

    /**
     * {@code ssize_t sendmsg(int fd, const struct msghdr *message, int flags)}.
     *
     * @param fd      the socket
     * @param message a {@code struct msghdr}
     * @param flags   {@code MSG_*} flags
     * @return bytes sent, or {@code -errno}
     */
    long sendmsg(int fd, MemorySegment message, int flags);

    /**
     * {@code ssize_t recvmsg(int fd, struct msghdr *message, int flags)}.
     *
     * @param fd      the socket
     * @param message a {@code struct msghdr}; the kernel updates its {@code msg_controllen} and
     *                {@code msg_flags}
     * @param flags   {@code MSG_*} flags
     * @return bytes received (0 at end of stream, and for error-queue messages), or {@code -errno}
     */
    long recvmsg(int fd, MemorySegment message, int flags);

    /**
     * {@code ssize_t send(int fd, const void *buffer, size_t length, int flags)}, bound as a critical function
     * ({@code Linker.Option.critical(true)}): {@code buffer} may be a heap segment, which the kernel then reads
     * where it is. A critical call keeps the garbage collector and every safepoint waiting until it returns,
     * so it must never block: {@code flags} must include {@code MSG_DONTWAIT} (and the socket should be
     * non-blocking too); the caller waits in {@link #poll} on {@code EAGAIN}.
     *
     * @param fd     the socket
     * @param buffer the bytes to send, native or heap
     * @param length how many, at most {@code buffer.byteSize()}
     * @param flags  {@code MSG_*} flags, {@code MSG_DONTWAIT} among them
     * @return bytes sent, or {@code -errno}
     * @throws IllegalArgumentException if {@code flags} lacks {@code MSG_DONTWAIT}
     */
    long send(int fd, MemorySegment buffer, long length, int flags);

    /**
     * {@code ssize_t recv(int fd, void *buffer, size_t length, int flags)}, bound as a critical function as
     * {@link #send} is: {@code buffer} may be a heap segment, and {@code flags} must include
     * {@code MSG_DONTWAIT}.
     *
     * @param fd     the socket
     * @param buffer where the bytes go, native or heap
     * @param length at most this many, at most {@code buffer.byteSize()}
     * @param flags  {@code MSG_*} flags, {@code MSG_DONTWAIT} among them
     * @return bytes received (0 at end of stream), or {@code -errno}
     * @throws IllegalArgumentException if {@code flags} lacks {@code MSG_DONTWAIT}
     */
    long recv(int fd, MemorySegment buffer, long length, int flags);

    /**
     * {@code int poll(struct pollfd *fds, nfds_t count, int timeout)}.
     *
     * @param fds           an array of {@code struct pollfd}
     * @param count         its length
     * @param timeoutMillis how long to wait, -1 for ever
     * @return the number of ready descriptors (0 on timeout), or {@code -errno}
     */
    int poll(MemorySegment fds, long count, int timeoutMillis);

    /**
     * {@code int shutdown(int fd, int how)}.
     *
     * @param fd  the socket
     * @param how {@code SHUT_RD}, {@code SHUT_WR} or {@code SHUT_RDWR}
     * @return 0, or {@code -errno}
     */
    int shutdown(int fd, int how);

    /**
     * {@code int close(int fd)}.
     *
     * @param fd the descriptor
     * @return 0, or {@code -errno}
     */
    int close(int fd);

    /**
     * {@code int getrlimit(int resource, struct rlimit *limit)}.
     *
     * @param resource for example {@code RLIMIT_MEMLOCK}
     * @param limit    receives the soft and hard limits
     * @return 0, or {@code -errno}
     */
    int getrlimit(int resource, MemorySegment limit);

    /**
     * {@code void *mmap(NULL, length, prot, flags, -1, 0)}: a new anonymous mapping.
     *
     * @param length bytes, a multiple of the page size
     * @param prot   {@code PROT_*} bits
     * @param flags  {@code MAP_*} bits, including {@code MAP_ANONYMOUS}
     * @return the address, or {@code -errno} (user addresses never fall in {@code [-4095, -1]})
     */
    long mmapAnonymous(long length, int prot, int flags);

    /**
     * {@code int munmap(void *address, size_t length)}.
     *
     * @param address page-aligned start
     * @param length  bytes
     * @return 0, or {@code -errno}
     */
    int munmap(long address, long length);

    /**
     * {@code int madvise(void *address, size_t length, int advice)} ({@code man 2 madvise}).
     *
     * @param address page-aligned start
     * @param length  bytes
     * @param advice  {@code MADV_*}
     * @return 0, or {@code -errno}
     */
    int madvise(long address, long length, int advice);

    /**
     * {@code void *mmap(NULL, length, prot, flags, fd, offset)}: a new mapping of a file.
     *
     * @param length bytes, a multiple of the file's page size
     * @param prot   {@code PROT_*} bits
     * @param flags  {@code MAP_*} bits, for example {@code MAP_SHARED}
     * @param fd     the file
     * @param offset where in the file the mapping starts, a multiple of the page size
     * @return the address, or {@code -errno} (user addresses never fall in {@code [-4095, -1]})
     */
    long mmap(long length, int prot, int flags, int fd, long offset);

    /**
     * {@code int mprotect(void *address, size_t length, int prot)} ({@code man 2 mprotect}).
     *
     * @param address page-aligned start
     * @param length  bytes
     * @param prot    {@code PROT_*} bits
     * @return 0, or {@code -errno}
     */
    int mprotect(long address, long length, int prot);

    /**
     * {@code int memfd_create(const char *name, unsigned int flags)} ({@code man 2 memfd_create}).
     *
     * @param name  a NUL-terminated name of at most 249 bytes, shown in {@code /proc/PID/fd}
     * @param flags {@code MFD_CLOEXEC}, {@code MFD_ALLOW_SEALING}, {@code MFD_HUGETLB}
     * @return the new descriptor, or {@code -errno}
     */
    int memfdCreate(MemorySegment name, int flags);

    /**
     * {@code int ftruncate(int fd, off_t length)}.
     *
     * @param fd     the file
     * @param length its new size in bytes
     * @return 0, or {@code -errno}
     */
    int ftruncate(int fd, long length);

    /**
     * {@code int fcntl(int fd, int command, int argument)}, for the commands whose argument is an {@code int}
     * ({@code F_ADD_SEALS}) or that take none ({@code F_GET_SEALS}, where the argument is ignored).
     *
     * @param fd       the descriptor
     * @param command  {@code F_*}
     * @param argument the command's argument
     * @return the command's non-negative result, or {@code -errno}
     */
    int fcntl(int fd, int command, int argument);

    /**
     * {@code int fstat(int fd, struct stat *status)}.
     *
     * @param fd     the descriptor
     * @param status receives the {@code struct stat}
     * @return 0, or {@code -errno}
     */
    int fstat(int fd, MemorySegment status);

    /**
     * {@code syscall(SYS_userfaultfd, int flags)} ({@code man 2 userfaultfd}; glibc has no wrapper).
     *
     * @param flags {@code O_CLOEXEC}, {@code O_NONBLOCK}, {@code UFFD_USER_MODE_ONLY}
     * @return the new descriptor, or {@code -errno}
     */
    int userfaultfd(int flags);

    /**
     * {@code int ioctl(int fd, unsigned long request, void *arg)}.
     *
     * @param fd      the descriptor
     * @param request the request, for example {@code UFFDIO_REGISTER} or {@code PAGEMAP_SCAN}
     * @param arg     the request's struct, read and written by the kernel
     * @return the request's non-negative result, or {@code -errno}
     */
    int ioctl(int fd, long request, MemorySegment arg);

    /**
     * {@code int open(const char *path, int flags)}, without {@code O_CREAT} (so no mode).
     *
     * @param path  a NUL-terminated path
     * @param flags {@code O_*} flags
     * @return the new descriptor, or {@code -errno}
     */
    int open(MemorySegment path, int flags);

    /**
     * {@code char *strerror(int errno)}, copied into a Java string at once.
     *
     * @param errno the error number
     * @return its description, for example {@code "No buffer space available"}
     */
    String strerror(int errno);
}
