/**
 * The Linux channel provider ({@code linux}): its own TCP sockets through the FFM API, with
 * {@code SO_ZEROCOPY}, {@code sendmsg(MSG_ZEROCOPY)} and completions read from the socket error queue
 * ({@code recvmsg(MSG_ERRQUEUE)}, {@code struct sock_extended_err}); the Linux memory provider; and the kernel
 * dirty tracker ({@code linux}: {@code userfaultfd} asynchronous write-protect read with {@code PAGEMAP_SCAN}).
 *
 * <p>Nothing requires this module: {@code io.channel} finds it through {@link java.util.ServiceLoader}. Run
 * with {@code --enable-native-access=io.channel.linux}; without it the provider reports itself unavailable
 * and the copying provider is used.
 */
module io.channel.linux {
    requires io.channel;

    provides io.channel.spi.ChannelProvider with io.channel.linux.LinuxChannelProvider;
    provides io.channel.memory.MemoryProvider with io.channel.linux.LinuxMemoryProvider;
    provides io.channel.memory.DirtyTrackerProvider with io.channel.linux.LinuxDirtyTrackerProvider;
}
