package migration;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Another process that holds a POSIX lock on a file, as a receive in another process does: a child JVM of the
 * running JDK running {@link FileLockHolder}. Locks belong to a process, so only another one shows what a receive
 * in another process sees.
 */
final class LockingProcess implements AutoCloseable {

    private final Process process;

    private LockingProcess(Process process) {
        this.process = process;
    }

    /** {@return a child that holds an exclusive lock on {@code file}, once it holds it} */
    static LockingProcess holding(Path file) throws IOException {
        Process process = start("hold", file);
        LockingProcess child = new LockingProcess(process);
        try {
            assertThat(firstLine(process)).as("the child locked " + file).isEqualTo("locked");
        } catch (IOException | RuntimeException | Error e) {
            child.close();
            throw e;
        }
        return child;
    }

    /** {@return whether another process finds {@code file} locked (it tries a shared lock)} */
    static boolean seesLocked(Path file) throws IOException, InterruptedException {
        Process process = start("probe", file);
        try {
            String answer = firstLine(process);
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("the probe exited").isTrue();
            assertThat(answer).isIn("held", "free");
            return answer.equals("held");
        } finally {
            process.destroyForcibly();
        }
    }

    private static Process start(String mode, Path file) throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path classes;
        try {
            classes = Path.of(FileLockHolder.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
        return new ProcessBuilder(List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
                classes.toString(), FileLockHolder.class.getName(), mode, file.toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static String firstLine(Process process) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8));
        return out.readLine();
    }

    /** Ends the child (closing its standard input releases the lock) and waits for it. */
    @Override
    public void close() throws IOException {
        try {
            process.getOutputStream().close();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
