package io.channel.linux.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.channel.linux.LinuxChannelProvider;
import io.channel.linux.internal.gen.errno_h;
import io.channel.linux.internal.gen.mman_h;
import io.channel.linux.internal.gen.socket_h;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shared invoke-and-check path of the real downcalls: results, {@code -errno}, and the per-thread state. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NativeSyscallsTest {

    private final Syscalls syscalls = Syscalls.nativeSyscalls();

    @BeforeEach
    void needsTheNativeLayer() {
        Throwable cause = new LinuxChannelProvider().unavailabilityCause();
        assumeTrue(cause == null, () -> "the Linux provider is unavailable: " + cause);
    }

    @Test
    void aFailedIntCallReturnsMinusErrno() {
        assertThat(syscalls.close(-1)).isEqualTo(-errno_h.EBADF());
    }

    @Test
    void aFailedLongCallReturnsMinusErrno() {
        // man 2 mmap: EINVAL for a length of 0.
        assertThat(syscalls.mmapAnonymous(0, mman_h.PROT_READ(), mman_h.MAP_PRIVATE() | mman_h.MAP_ANONYMOUS()))
                .isEqualTo(-errno_h.EINVAL());
    }

    @Test
    void aSucceedingCallReturnsItsResult() {
        int fd = syscalls.socket(socket_h.AF_INET(), socket_h.SOCK_STREAM() | socket_h.SOCK_CLOEXEC(), 0);

        assertThat(fd).isNotNegative();
        assertThat(syscalls.close(fd)).isZero();
    }

    @Test
    void eachThreadReadsTheErrnoOfItsOwnCall() throws Exception {
        // man 2 munmap: EINVAL for an address that is not page-aligned; close(-1) is EBADF.
        CompletableFuture<Integer> other = CompletableFuture.supplyAsync(() -> syscalls.munmap(1, 4096));
        int here = syscalls.close(-1);

        assertThat(other.get()).isEqualTo(-errno_h.EINVAL());
        assertThat(here).isEqualTo(-errno_h.EBADF());
    }

    @Test
    void theCriticalSendAndRecvRefuseFlagsThatCouldBlock() {
        MemorySegment heap = MemorySegment.ofArray(new byte[8]);

        assertThatThrownBy(() -> syscalls.send(-1, heap, 8, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MSG_DONTWAIT");
        assertThatThrownBy(() -> syscalls.recv(-1, heap, 8, socket_h.MSG_NOSIGNAL()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MSG_DONTWAIT");
    }

    @Test
    void theCriticalSendAndRecvTakeHeapSegmentsAndReturnMinusErrno() {
        MemorySegment heap = MemorySegment.ofArray(new byte[8]);

        assertThat(syscalls.send(-1, heap, 8, socket_h.MSG_DONTWAIT())).isEqualTo(-errno_h.EBADF());
        assertThat(syscalls.recv(-1, heap, 8, socket_h.MSG_DONTWAIT())).isEqualTo(-errno_h.EBADF());
    }

    @Test
    void theErrnoMappingIsOnePerSyscalls() {
        assertThat(syscalls.errors()).isSameAs(Syscalls.nativeSyscalls().errors());
    }
}
