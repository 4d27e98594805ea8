package io.channel.spi;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The operating systems and architectures a provider class can work on at all. Selection reads it from the
 * class that {@link java.util.ServiceLoader.Provider#type()} names, before any instance exists, and does not
 * instantiate a provider whose platform this is not: the provider is then reported as passed over, with this
 * reason. A provider without the annotation fits everywhere. A provider that fits still decides its real
 * availability itself ({@code unavailabilityCause()}), by probing.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface SupportedPlatform {

    /** {@return prefixes of the {@code os.name} property, in lower case, such as {@code "linux"}; empty: any} */
    String[] os() default {};

    /** {@return values of the {@code os.arch} property, such as {@code "amd64"}; empty: any} */
    String[] arch() default {};
}
