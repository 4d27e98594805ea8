package io.channel.linux;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.channel.linux.internal.Errors;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Fuzzes the error-queue control-message parser with any bytes, any {@code msg_controllen} (also outside the
 * buffer) and any {@code msg_flags}: it returns notifications or throws an {@link IOException}, and nothing
 * else. {@code mvn verify} replays the inputs under {@code ErrorQueueMessagesFuzzTestInputs/}; see the README
 * ("Fault tests and fuzzing") for fuzzing.
 */
class ErrorQueueMessagesFuzzTest {

    private static final Errors ERRORS = new Errors(new FakeKernel());

    @FuzzTest(maxDuration = "60s")
    void anyControlBufferGivesNotificationsOrAnIOException(FuzzedDataProvider data) {
        int flags = data.consumeInt();
        long controlLength = data.consumeLong(-16, LinuxChannel.CONTROL_BYTES + 16);
        byte[] bytes = data.consumeRemainingAsBytes();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment control = arena.allocate(LinuxChannel.CONTROL_BYTES, 8);
            MemorySegment.copy(bytes, 0, control, ValueLayout.JAVA_BYTE, 0,
                    (int) Math.min(bytes.length, LinuxChannel.CONTROL_BYTES));
            List<ZeroCopyNotification> notifications;
            try {
                notifications = ErrorQueueMessages.parse(control, controlLength, flags, ERRORS);
            } catch (IOException refused) {
                return;
            }
            // Each notification needs a header and a struct sock_extended_err: 48 bytes at least.
            assertThat((long) notifications.size() * 48).isLessThanOrEqualTo(controlLength);
            for (ZeroCopyNotification notification : notifications) {
                assertThat(notification.length()).isBetween(1L, 1L << 32);
            }
        }
    }
}
