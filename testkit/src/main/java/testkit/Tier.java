package testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * The slow tiers of the test suite, as JUnit 5 tags. Each annotation here tags a test class (or method) with
 * {@value #SLOW} and with its tier, so that the fast tier runs alone with {@code mvn -B verify -Pfast} (Surefire's
 * {@code excludedGroups=slow}) and one tier can be left out or run alone ({@code -DexcludedGroups=soak},
 * {@code -Dgroups=network-faults}), while a plain {@code mvn -B verify} runs every test. A class is in a tier when it
 * does what makes that tier take seconds: it runs the image or other JVMs, injects network faults, or soaks. A test
 * that starts one small helper JVM in well under a second (a process holding a file lock) stays in the fast tier.
 */
public final class Tier {

    /** The tag every slow tier carries. */
    public static final String SLOW = "slow";

    private Tier() {
    }

    /** Long runs that watch for leaks and drift over many migrations. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @Tag(SLOW)
    @Tag("soak")
    public @interface Soak {
    }

    /** Migrations through network namespaces with injected loss, blackholes, rate limits and delay (root). */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @Tag(SLOW)
    @Tag("network-faults")
    public @interface NetworkFaults {
    }

    /** Tests that run the jlink image's launcher or java, or link against the built modules, as users do. */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @Tag(SLOW)
    @Tag("image")
    public @interface Image {
    }

    /** Tests that start other JVMs (a migration's peer, a bench worker, a JVM with other flags or limits). */
    @Documented
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @Tag(SLOW)
    @Tag("child-jvm")
    public @interface ChildJvm {
    }
}
