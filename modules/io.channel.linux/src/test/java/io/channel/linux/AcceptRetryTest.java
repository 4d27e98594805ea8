package io.channel.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.IOChannel;
import io.channel.linux.internal.Syscalls;
import io.channel.linux.internal.gen.errno_h;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AcceptRetryTest {

    /** The real kernel, except that the first accept4 answers ECONNABORTED (a peer that died while queued). */
    private static Syscalls abortingFirstAccept(AtomicInteger aborted) {
        Syscalls kernel = Syscalls.nativeSyscalls();
        return (Syscalls) Proxy.newProxyInstance(Syscalls.class.getClassLoader(), new Class<?>[] {Syscalls.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("accept4") && aborted.getAndIncrement() == 0) {
                        return -errno_h.ECONNABORTED();
                    }
                    try {
                        return method.invoke(kernel, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void aConnectionAbortedInTheQueueDoesNotFailTheListener() throws Exception {
        LinuxChannelProvider provider = new LinuxChannelProvider();
        assumeTrue(provider.isAvailable(), () -> "Linux provider unavailable: " + provider.unavailabilityCause());
        AtomicInteger accepts = new AtomicInteger();
        try (ChannelListener listener = provider.listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                     ChannelOptions.defaults(), abortingFirstAccept(accepts));
             IOChannel client = provider.connect(listener.localAddress(), ChannelOptions.defaults());
             IOChannel accepted = listener.accept()) {
            assertThat(accepts.get()).as("accept4 calls").isGreaterThanOrEqualTo(2);
            assertThat(accepted.remoteAddress().getPort()).isEqualTo(client.localAddress().getPort());
        }
    }
}
