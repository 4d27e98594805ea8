package migration;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.assertj.core.api.Assertions;

/** Waits for conditions by polling, with a bound. */
final class Conditions {

    private Conditions() {
    }

    static void await(String what, Duration limit, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                Assertions.fail("timed out after " + limit + " waiting for " + what);
            }
            Thread.sleep(5);
        }
    }
}
