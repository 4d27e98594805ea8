package io.channel.linux.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.channel.NativeIOException;
import io.channel.linux.LinuxChannelProvider;
import io.channel.linux.internal.gen.errno_h;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ErrorsTest {

    /** A syscall layer whose only working call is strerror. */
    private static final Syscalls STRERROR_ONLY = (Syscalls) Proxy.newProxyInstance(Syscalls.class.getClassLoader(),
            new Class<?>[] {Syscalls.class}, (proxy, method, args) -> {
                if (method.getName().equals("strerror")) {
                    return "Description " + args[0];
                }
                throw new UnsupportedOperationException(method.getName());
            });

    private final Errors errors = new Errors(STRERROR_ONLY);

    @Test
    void eagainMeansWouldBlock() {
        assertThat(Errors.kind(errno_h.EAGAIN())).isEqualTo(Errors.Kind.WOULD_BLOCK);
    }

    @Test
    void eintrMeansRetry() {
        assertThat(Errors.kind(errno_h.EINTR())).isEqualTo(Errors.Kind.RETRY);
    }

    @Test
    void ebadfMeansClosed() {
        assertThat(Errors.kind(errno_h.EBADF())).isEqualTo(Errors.Kind.CLOSED);
        assertThat(errors.exception("recvmsg", errno_h.EBADF())).isInstanceOf(ClosedChannelException.class);
    }

    @Test
    void anyOtherErrnoIsANativeIoExceptionNamingTheCallAndKeepingTheErrno() {
        IOException e = errors.exception("sendmsg(MSG_ZEROCOPY)", errno_h.ECONNRESET());

        assertThat(Errors.kind(errno_h.ECONNRESET())).isEqualTo(Errors.Kind.FAILED);
        assertThat(e).isInstanceOf(NativeIOException.class)
                .hasMessage("sendmsg(MSG_ZEROCOPY) failed: Description " + errno_h.ECONNRESET());
        assertThat(((NativeIOException) e).errno()).isEqualTo(errno_h.ECONNRESET());
        assertThat(((NativeIOException) e).call()).isEqualTo("sendmsg(MSG_ZEROCOPY)");
    }

    @Test
    void contextIsAppendedInParentheses() {
        assertThat(errors.exception("connect", errno_h.ECONNREFUSED(), "connecting to /127.0.0.1:1"))
                .hasMessage("connect failed: Description " + errno_h.ECONNREFUSED() + " (connecting to /127.0.0.1:1)");
    }

    @Test
    void eachStrerrorTextIsFetchedOnceAndThenServedFromTheCache() {
        AtomicInteger calls = new AtomicInteger();
        Syscalls counting = (Syscalls) Proxy.newProxyInstance(Syscalls.class.getClassLoader(),
                new Class<?>[] {Syscalls.class}, (proxy, method, args) -> {
                    calls.incrementAndGet();
                    return "Description " + args[0];
                });
        Errors cached = new Errors(counting);

        cached.exception("sendmsg", errno_h.ECONNRESET());
        cached.exception("recvmsg", errno_h.ECONNRESET());

        assertThat(cached.strerror(errno_h.ECONNRESET())).isEqualTo("Description " + errno_h.ECONNRESET());
        assertThat(calls).hasValue(1);
    }

    @Test
    void theRealStrerrorDescribesEnobufs() {
        Throwable cause = new LinuxChannelProvider().unavailabilityCause();
        assumeTrue(cause == null, () -> "the Linux provider is unavailable: " + cause);

        assertThat(Syscalls.nativeSyscalls().strerror(errno_h.ENOBUFS())).isEqualTo("No buffer space available");
    }
}
