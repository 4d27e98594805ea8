/**
 * A channel API modelled on QEMU's {@code QIOChannel}: vectored writes of native memory with flags
 * (notably {@link io.channel.WriteFlag#ZERO_COPY}), a {@link io.channel.IOChannel#flush() flush} that
 * waits for the kernel's zero-copy completions, feature bits, and a provider SPI; and, in
 * {@link io.channel.memory}, memory to migrate into from a memory provider SPI.
 *
 * <p>Providers are found with {@link java.util.ServiceLoader}; this module ships the portable copying
 * provider ({@code copy}, on {@code java.nio}), which works on every OS. Better providers, such as the
 * Linux {@code MSG_ZEROCOPY} provider in module {@code io.channel.linux}, are picked up when present on
 * the module path. See {@link io.channel.ChannelProviders} for selection and the
 * {@code io.channel.provider} system property, and {@link io.channel.memory.MemoryProviders} for memory and the
 * {@code io.channel.memory.provider} system property.
 *
 * <p>{@link io.channel.tls.TlsChannel} runs standard TLS 1.3 (the JDK's own, {@code javax.net.ssl}) over any
 * channel.
 */
module io.channel {
    // jdk.net.ExtendedSocketOptions.SO_PEERCRED: the user at the other end of a Unix domain socket.
    requires jdk.net;

    // io.channel.tls.CipherSpeed measures on the thread's CPU time and waits for the JIT to settle.
    requires java.management;

    exports io.channel;
    exports io.channel.spi;
    exports io.channel.memory;
    exports io.channel.tls;

    uses io.channel.spi.ChannelProvider;
    uses io.channel.memory.MemoryProvider;
    uses io.channel.memory.DirtyTrackerProvider;

    provides io.channel.spi.ChannelProvider with io.channel.copy.CopyingChannelProvider;
    provides io.channel.memory.MemoryProvider with io.channel.memory.portable.PortableMemoryProvider;
    provides io.channel.memory.DirtyTrackerProvider with io.channel.memory.portable.ChecksumDirtyTrackerProvider,
            io.channel.memory.portable.ApplicationDirtyTrackerProvider;
}
