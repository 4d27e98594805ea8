package migration;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Run in a child JVM by {@link LockingProcess}: {@code hold FILE} locks the whole file (exclusive), prints
 * {@code locked} and keeps the lock until its standard input ends; {@code probe FILE} tries a shared lock and
 * prints {@code free} or {@code held}.
 */
public final class FileLockHolder {

    private FileLockHolder() {
    }

    /**
     * Locks or probes.
     *
     * @param args {@code hold FILE} or {@code probe FILE}
     * @throws IOException if the file cannot be opened or locked
     */
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[1]);
        if (args[0].equals("hold")) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
                 FileLock lock = channel.lock()) {
                System.out.println("locked");
                System.out.flush();
                while (System.in.read() >= 0) {
                    // Holds the lock until the parent closes our standard input (or the child is killed).
                }
            }
        } else {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
                 FileLock lock = channel.tryLock(0, Long.MAX_VALUE, true)) {
                System.out.println(lock == null ? "held" : "free");
            }
        }
    }
}
