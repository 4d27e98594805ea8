package io.channel.selection;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.spi.SupportedPlatform;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ProviderSelectorTest {

    /** A provider interface of the simplest kind. */
    interface Named {
        String name();
    }

    /** Fits everywhere. */
    static final class Anywhere implements Named {
        @Override
        public String name() {
            return "anywhere";
        }
    }

    /** Fits only Linux on x86_64. */
    @SupportedPlatform(os = "linux", arch = {"amd64", "x86_64"})
    static final class LinuxOnly implements Named {
        @Override
        public String name() {
            return "linux-only";
        }
    }

    /** A listing as {@link ServiceLoader#stream()} gives it, counting instantiations. */
    record Listing(Class<? extends Named> type, Supplier<Named> make, List<Class<?>> made)
            implements ServiceLoader.Provider<Named> {
        @Override
        public Named get() {
            made.add(type);
            return make.get();
        }
    }

    private final List<Class<?>> made = new ArrayList<>();
    private final ProviderSelector<Named> selector = new ProviderSelector<>("test provider", "test.provider",
            Named::name, p -> p instanceof LinuxOnly ? 100 : 0, p -> null);

    private Stream<ServiceLoader.Provider<Named>> listed() {
        return Stream.of(new Listing(Anywhere.class, Anywhere::new, made),
                new Listing(LinuxOnly.class, LinuxOnly::new, made),
                new Listing(Anywhere.class, Anywhere::new, made));
    }

    @Test
    void aProviderClassForAnotherPlatformIsNeverInstantiatedAndIsReportedAsPassedOver() {
        var found = selector.load(listed(), "Mac OS X", "aarch64");

        assertThat(made).containsExactly(Anywhere.class);
        assertThat(found.providers()).extracting(Named::name).containsExactly("anywhere");
        assertThat(found.skipped()).singleElement().satisfies(e -> assertThat(e).hasMessage("'"
                + LinuxOnly.class.getName() + "' (not instantiated: it supports only linux on amd64/x86_64, this is"
                + " Mac OS X on aarch64)"));
    }

    @Test
    void aProviderClassForThisPlatformIsInstantiatedOnceEvenIfListedTwice() {
        var found = selector.load(listed(), "Linux", "amd64");

        assertThat(made).containsExactly(Anywhere.class, LinuxOnly.class);
        assertThat(found.providers()).extracting(Named::name).containsExactly("linux-only", "anywhere");
        assertThat(found.skipped()).isEmpty();
    }

    @Test
    void theSkippedClassIsNamedInTheFallbackMessage() {
        var found = selector.load(listed(), "Windows 11", "amd64");

        var choice = selector.select(found.providers(), found.skipped(), null);

        assertThat(selector.describe(choice)).isEqualTo("using test provider 'anywhere'; passed over '"
                + LinuxOnly.class.getName() + "' (not instantiated: it supports only linux on amd64/x86_64, this is"
                + " Windows 11 on amd64)");
    }

    @Test
    void askingForAProviderThatWasNotInstantiatedSaysWhy() {
        var found = selector.load(listed(), "Windows 11", "amd64");

        assertThatThrownBy(() -> selector.select(found.providers(), found.skipped(), "linux-only"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("-Dtest.provider=linux-only names no test provider; found: [anywhere]; passed"
                        + " over '" + LinuxOnly.class.getName() + "' (not instantiated");
    }

    @Test
    void aClassWithoutTheAnnotationFitsEverywhere() {
        assertThat(ProviderSelector.misfit(Anywhere.class, "SunOS", "sparcv9")).isNull();
    }
}
