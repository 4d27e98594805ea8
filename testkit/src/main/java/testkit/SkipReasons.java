package testkit;

import java.io.PrintStream;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Prints every skipped test, and every test class skipped as a whole, with its reason, one line each in the build
 * output. Surefire counts skipped tests ({@code Skipped: 6}) but keeps the reasons in its XML reports, so a test that
 * skips because this machine lacks a tool (root, {@code nft}, {@code prlimit}, a pseudo-terminal) would pass
 * unnoticed.
 *
 * <p>Registered with the JUnit Platform launcher through {@code META-INF/services}
 * (JUnit 5 user guide, "Registering a TestExecutionListener"), which reads it from the class path where Surefire
 * puts {@code testkit}, a test dependency no module under test requires.
 */
public final class SkipReasons implements TestExecutionListener {

    private final PrintStream out;

    /** For the launcher's {@link java.util.ServiceLoader}: prints to standard error. */
    public SkipReasons() {
        this(System.err);
    }

    SkipReasons(PrintStream out) {
        this.out = out;
    }

    /** An assumption that did not hold (JUnit's aborted state, which Surefire reports as skipped). */
    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (result.getStatus() == TestExecutionResult.Status.ABORTED) {
            // JUnit's assumptions throw a TestAbortedException whose message starts with "Assumption failed: ".
            String reason = result.getThrowable().map(Throwable::getMessage)
                    .map(message -> message.replaceFirst("^Assumption failed: ", "")).orElse(null);
            report(test, reason);
        }
    }

    /** A test or class that was not run at all ({@code @Disabled}, a condition). */
    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        report(test, reason);
    }

    private void report(TestIdentifier test, String reason) {
        out.println("SKIPPED " + name(test) + ": " + (reason == null || reason.isBlank() ? "(no reason given)" : reason));
        out.flush();
    }

    /** {@return the class and method, as Surefire's reports name them: {@code tests.faults.NetworkFaultsTest.x()}} */
    private static String name(TestIdentifier test) {
        return test.getSource().map(source -> switch (source) {
            case MethodSource method -> method.getClassName() + "." + test.getLegacyReportingName();
            case ClassSource type -> type.getClassName();
            default -> test.getDisplayName();
        }).orElse(test.getDisplayName());
    }
}
