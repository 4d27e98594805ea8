package tests.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command with a directory as a fresh tmpfs of its own, in a private mount namespace, so nothing outside sees
 * it and it vanishes with the process. Needs root (as CI has) and {@code unshare}.
 */
final class PrivateTmpfs {

    private PrivateTmpfs() {
    }

    /**
     * {@return {@code command} wrapped to run with {@code mountPoint} as a tmpfs mounted with {@code options}}
     *
     * @param options tmpfs mount options, such as {@code size=1m} or {@code ro}
     */
    static List<String> around(Path mountPoint, String options, List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                "mount -t tmpfs -o \"$1\" tmpfs \"$0\" && shift && exec \"$@\"", mountPoint.toString(), options));
        wrapped.addAll(command);
        return wrapped;
    }

    /** {@return whether such a mount works here} */
    static boolean available(Path mountPoint) throws InterruptedException {
        try {
            Process probe = new ProcessBuilder(around(mountPoint, "size=1m", List.of("true"))).redirectErrorStream(true)
                    .start();
            return probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
