package io.channel.linux;

import io.channel.linux.internal.Errors;
import io.channel.linux.internal.Sockets;
import io.channel.linux.internal.Syscalls;
import io.channel.linux.internal.gen.socket_h;
import java.util.Locale;
import java.util.function.Function;

/**
 * Decides, once per JVM, whether the Linux provider works here, and keeps the reason when it does not.
 * The checks run cheapest first and stop at the first failure: the switch-off property, the OS, the
 * architecture (the generated layouts are x86_64 LP64 only), native access for this module, and finally a
 * real probe of the kernel: {@code socket()}, {@code setsockopt(SO_ZEROCOPY, 1)}, {@code close()}.
 */
final class Availability {

    /** Set to {@code true} to switch the provider off; the copying provider is then used. */
    static final String DISABLED_PROPERTY = "io.channel.linux.disabled";

    private Availability() {
    }

    /** {@return why the provider is unavailable in this JVM, or {@code null}; computed once} */
    static Throwable cause() {
        return Once.CAUSE;
    }

    private static final class Once {
        static final Throwable PLATFORM = platformCause(System.getProperty(DISABLED_PROPERTY),
                System.getProperty("os.name"), System.getProperty("os.arch"), LinuxChannelProvider.class.getModule());
        static final Throwable CAUSE = check(System.getProperty(DISABLED_PROPERTY), System.getProperty("os.name"),
                System.getProperty("os.arch"), LinuxChannelProvider.class.getModule());
    }

    /**
     * Runs the checks.
     *
     * @param disabled the value of {@value #DISABLED_PROPERTY}, or {@code null}
     * @param osName   {@code os.name}
     * @param osArch   {@code os.arch}
     * @param module   the module whose native access matters
     * @return the reason the provider cannot be used, or {@code null}
     */
    static Throwable check(String disabled, String osName, String osArch, Module module) {
        Throwable platform = platformCause(disabled, osName, osArch, module);
        return platform != null ? platform : probeNative(Availability::probe);
    }

    /**
     * Runs a kernel probe with the real system calls.
     *
     * @param probe the probe: the reason it found, or {@code null}
     * @return the probe's reason, or the failure to bind the C library, or {@code null}
     */
    static Throwable probeNative(Function<Syscalls, Throwable> probe) {
        try {
            return probe.apply(Syscalls.nativeSyscalls());
        } catch (RuntimeException | LinkageError e) {
            return new UnsupportedOperationException("binding the C library failed: " + e, e);
        }
    }

    /** {@return why this JVM cannot use the module's native code at all (no kernel probe), or {@code null}} */
    static Throwable platformCause() {
        return Once.PLATFORM;
    }

    /**
     * The checks of {@link #check} before the kernel probe: property, OS, architecture, native access.
     *
     * @param disabled the value of {@value #DISABLED_PROPERTY}, or {@code null}
     * @param osName   {@code os.name}
     * @param osArch   {@code os.arch}
     * @param module   the module whose native access matters
     * @return the reason, or {@code null}
     */
    static Throwable platformCause(String disabled, String osName, String osArch, Module module) {
        if (Boolean.parseBoolean(disabled)) {
            return new UnsupportedOperationException("switched off by -D" + DISABLED_PROPERTY + "=" + disabled);
        }
        if (osName == null || !osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return new UnsupportedOperationException("needs Linux, but this is " + osName
                    + " (os.name); MSG_ZEROCOPY and the error-queue completions are Linux interfaces");
        }
        String arch = osArch == null ? "" : osArch.toLowerCase(Locale.ROOT);
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            return new UnsupportedOperationException("needs x86_64, but os.arch is " + osArch
                    + "; the struct layouts in io.channel.linux.internal.gen were generated for x86_64 LP64 and are"
                    + " not portable (regenerate them with jextract/regenerate.sh on the target)");
        }
        if (!module.isNativeAccessEnabled()) {
            String flag = "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
            return new UnsupportedOperationException("native access is not enabled for "
                    + (module.isNamed() ? "module " + module.getName() : "the class path (unnamed module)")
                    + "; add " + flag + " to the java command line");
        }
        return null;
    }

    /**
     * Opens a TCP socket, asks for {@code SO_ZEROCOPY} and closes it.
     *
     * @param syscalls the system calls
     * @return the kernel's refusal, or {@code null}
     */
    static Throwable probe(Syscalls syscalls) {
        Errors errors = syscalls.errors();
        int type = socket_h.SOCK_STREAM() | socket_h.SOCK_CLOEXEC();
        int fd = syscalls.socket(socket_h.AF_INET6(), type, 0);
        if (fd < 0) {
            // IPv6 may be disabled; SO_ZEROCOPY works the same on AF_INET.
            fd = syscalls.socket(socket_h.AF_INET(), type, 0);
        }
        if (fd < 0) {
            return errors.exception("socket(AF_INET, SOCK_STREAM)", -fd, "probing for SO_ZEROCOPY");
        }
        try {
            // Documentation/networking/msg_zerocopy.rst: SO_ZEROCOPY must be set before MSG_ZEROCOPY is honoured;
            // kernels before 4.14 answer ENOPROTOOPT.
            int errno = new Sockets(syscalls).trySetInt(fd, socket_h.SOL_SOCKET(), socket_h.SO_ZEROCOPY(), 1);
            if (errno != 0) {
                return errors.exception("setsockopt(SO_ZEROCOPY)", errno, "the kernel refused zero-copy sockets");
            }
            return null;
        } finally {
            syscalls.close(fd);
        }
    }
}
