package migration;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A fake peer's heartbeats: a HEARTBEAT frame on the main channel every 200 ms, until closed. A peer that sends
 * them proves it lives, whatever else it does or fails to do.
 */
final class Heartbeats implements AutoCloseable {

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();

    Heartbeats(SocketChannel main) {
        timer.scheduleAtFixedRate(() -> {
            try {
                synchronized (main) {
                    FakeSource.frame(main, 3, new byte[0]);
                }
            } catch (IOException e) {
                // The peer closed the channel: the test sees why.
            }
        }, 0, 200, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        timer.shutdownNow();
        timer.awaitTermination(10, TimeUnit.SECONDS);
    }
}
