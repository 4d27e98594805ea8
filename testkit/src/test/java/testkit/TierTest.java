package testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.Filter;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TagFilter;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

class TierTest {

    private static final List<Class<?>> ALL = List.of(Fast.class, Soaking.class, Faulty.class, Imaging.class,
            Forking.class);

    @Test
    void excludingSlowLeavesOnlyTheTestsOfNoTier() {
        assertThat(classesFound(TagFilter.excludeTags(Tier.SLOW))).containsExactly("Fast");
    }

    @Test
    void noFilterFindsEveryTier() {
        assertThat(classesFound()).containsExactlyInAnyOrder("Fast", "Soaking", "Faulty", "Imaging", "Forking");
    }

    @Test
    void eachTierIsChosenByItsOwnTag() {
        assertThat(classesFound(TagFilter.includeTags("soak"))).containsExactly("Soaking");
        assertThat(classesFound(TagFilter.includeTags("network-faults"))).containsExactly("Faulty");
        assertThat(classesFound(TagFilter.includeTags("image"))).containsExactly("Imaging");
        assertThat(classesFound(TagFilter.includeTags("child-jvm"))).containsExactly("Forking");
    }

    /** {@return the simple names of the classes whose tests discovery keeps under the filters} */
    private static Set<String> classesFound(Filter<?>... filters) {
        TestPlan plan = LauncherFactory.create().discover(LauncherDiscoveryRequestBuilder.request()
                .selectors(ALL.stream().map(c -> selectClass(c)).toList()).filters(filters).build());
        return plan.getRoots().stream().flatMap(root -> plan.getDescendants(root).stream())
                .filter(TestIdentifier::isTest)
                .map(id -> id.getSource().orElseThrow())
                .map(source -> ((MethodSource) source).getJavaClass().getSimpleName())
                .collect(Collectors.toSet());
    }

    static class Fast {
        @Test
        void runs() {
        }
    }

    @Tier.Soak
    static class Soaking {
        @Test
        void runs() {
        }
    }

    @Tier.NetworkFaults
    static class Faulty {
        @Test
        void runs() {
        }
    }

    @Tier.Image
    static class Imaging {
        @Test
        void runs() {
        }
    }

    @Tier.ChildJvm
    static class Forking {
        @Test
        void runs() {
        }
    }
}
