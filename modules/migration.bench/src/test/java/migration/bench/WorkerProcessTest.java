package migration.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerProcessTest {

    private static WorkerProcess shell(String script) throws IOException {
        return WorkerProcess.of(new ProcessBuilder("sh", "-c", script).start(), "test worker");
    }

    @Test
    void theErrorAWorkerPrintedIsFoundAmongItsOtherLines() throws Exception {
        try (WorkerProcess worker = shell("echo READY 1 2; echo 'noise'; echo 'ERROR destination: digest mismatch'")) {
            assertThat(worker.error(10)).contains("destination: digest mismatch");
        }
    }

    @Test
    void aWorkerThatEndedWithoutAnErrorHasNone() throws Exception {
        try (WorkerProcess worker = shell("echo READY")) {
            assertThat(worker.await(BenchWorker.READY, 10)).isEqualTo("READY");
            assertThat(worker.error(10)).isEmpty();
        }
    }

    @Test
    void waitingForALineAWorkerNeverPrintsSaysItEndedAndWithWhichStatus() throws Exception {
        try (WorkerProcess worker = shell("echo READY; exit 3")) {
            assertThatThrownBy(() -> worker.await("RESULT", 10))
                    .isInstanceOf(IOException.class)
                    .hasMessage("the test worker ended (exit status 3) before RESULT");
        }
    }

    @Test
    void anErrorLineEndsTheWaitWithItsText() throws Exception {
        try (WorkerProcess worker = shell("echo 'ERROR source: connection refused'")) {
            assertThatThrownBy(() -> worker.await("RESULT", 10)).hasMessage("source: connection refused");
        }
    }
}
