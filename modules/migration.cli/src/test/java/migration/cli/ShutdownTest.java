package migration.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testkit.JsonReader;

/** Ctrl-C and SIGTERM ({@link Shutdown#request()} stands in for the signal): cancel, and always report. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShutdownTest {

    @BeforeEach
    @AfterEach
    void freshShutdownState() {
        Shutdown.use(new Shutdown());
    }

    @Test
    void aRequestCancelsTheRegisteredMigration() {
        AtomicInteger cancels = new AtomicInteger();
        Shutdown shutdown = new Shutdown();
        shutdown.cancelling(cancels::incrementAndGet);

        shutdown.request();

        assertThat(cancels).hasValue(1);
        assertThat(shutdown.requested()).isTrue();
    }

    @Test
    void aMigrationRegisteredAfterTheRequestIsCancelledAtOnce() {
        AtomicInteger cancels = new AtomicInteger();
        Shutdown shutdown = new Shutdown();
        shutdown.request();

        shutdown.cancelling(cancels::incrementAndGet);

        assertThat(cancels).hasValue(1);
    }

    @Test
    void aClosedRegistrationIsNotCancelled() {
        AtomicInteger cancels = new AtomicInteger();
        Shutdown shutdown = new Shutdown();
        shutdown.cancelling(cancels::incrementAndGet).close();

        shutdown.request();

        assertThat(cancels).hasValue(0);
    }

    @Test
    void demoStoppedBeforeItsMigrationPrintsCancelledJsonAndTheReason() {
        Shutdown.current().request();

        Run run = Run.of("demo", "--size", "4m", "--json");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(JsonReader.object(run.out())).containsEntry("status", "cancelled").containsEntry("verified", false);
        assertThat(run.errLines()).containsExactly(
                "multifd demo: stopped by Ctrl-C or SIGTERM: cancelled before the migration started");
    }

    @Test
    void receiveStoppedWhileWaitingPrintsCancelledJsonAndTheReason() throws Exception {
        RunningCommand receiver = RunningCommand.start("receive", "--listen", "127.0.0.1:0", "--size", "1m",
                "--json");
        receiver.address();

        Shutdown.current().request();
        Run run = receiver.result();

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(JsonReader.object(run.out())).containsEntry("status", "cancelled");
        assertThat(run.errLines()).last().asString().startsWith("multifd receive: stopped by Ctrl-C or SIGTERM: ");
    }
}
