package testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.core.LauncherConfig;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

class SkipReasonsTest {

    @Test
    void aTestWhoseAssumptionFailsIsPrintedWithItsClassMethodAndReason() {
        assertThat(printedRunning(ToolMissing.class))
                .isEqualTo("SKIPPED testkit.SkipReasonsTest$ToolMissing.needsATool(): needs 'nft' on PATH\n");
    }

    @Test
    void aClassWhoseSetUpAssumptionFailsIsPrintedOnceWithItsReason() {
        assertThat(printedRunning(NotRoot.class))
                .isEqualTo("SKIPPED testkit.SkipReasonsTest$NotRoot: needs root\n");
    }

    @Test
    void aDisabledTestIsPrintedWithItsReason() {
        assertThat(printedRunning(Disabling.class))
                .isEqualTo("SKIPPED testkit.SkipReasonsTest$Disabling.off(): not here\n");
    }

    @Test
    void testsThatRunPrintNothing() {
        assertThat(printedRunning(Passing.class)).isEmpty();
    }

    /** Runs one class's tests in a launcher of its own, with only the listener under test, and returns its output. */
    private static String printedRunning(Class<?> testClass) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        // Without the listeners found on the class path, this one among them: the build output stays free of the
        // skips these tests make on purpose.
        LauncherConfig config = LauncherConfig.builder().enableTestExecutionListenerAutoRegistration(false).build();
        LauncherFactory.create(config).execute(
                LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build(),
                new SkipReasons(out));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    static class ToolMissing {
        @Test
        void needsATool() {
            assumeTrue(false, "needs 'nft' on PATH");
        }

        @Test
        void runs() {
        }
    }

    static class NotRoot {
        @BeforeAll
        static void needsRoot() {
            assumeTrue(false, "needs root");
        }

        @Test
        void first() {
        }

        @Test
        void second() {
        }
    }

    static class Disabling {
        @Test
        @Disabled("not here")
        void off() {
        }
    }

    static class Passing {
        @Test
        void passes() {
        }
    }
}
