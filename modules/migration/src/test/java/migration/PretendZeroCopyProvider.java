package migration;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.ChannelProviders;
import io.channel.ChannelStatistics;
import io.channel.Feature;
import io.channel.FlushResult;
import io.channel.IOChannel;
import io.channel.NativeIOException;
import io.channel.spi.ChannelProvider;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test provider that claims zero-copy over the copying provider's sockets, so the migration's zero-copy
 * logic can be tested anywhere: channels report {@link Feature#WRITE_ZERO_COPY} (unless told not to), count
 * zero-copy writes, and flush with a chosen answer.
 */
final class PretendZeroCopyProvider implements ChannelProvider {

    private final ChannelProvider copy = ChannelProviders.named("copy");
    private final FlushResult flushAnswer;
    private final boolean grantFeature;
    private final Throwable unavailable;
    /** Flushes after this many fail (per channel), or -1 for never. */
    private final int flushesBeforeFailure;
    /** Whether the pretend kernel refuses to pin every zero-copy write, as under a small RLIMIT_MEMLOCK. */
    private boolean refusesToPin;
    /** Whether it says, like the Linux provider, that zero-copy to an address of this host is copied. */
    private boolean knowsThisHostCopies;
    final AtomicLong zeroCopyWrites = new AtomicLong();
    /** Calls of {@link #isAvailable()} and {@link #unavailabilityCause()}: the probes of a real provider. */
    final AtomicLong probes = new AtomicLong();
    /** Calls of {@link #connect}. */
    final AtomicLong connects = new AtomicLong();

    private PretendZeroCopyProvider(FlushResult flushAnswer, boolean grantFeature, Throwable unavailable) {
        this(flushAnswer, grantFeature, unavailable, -1);
    }

    private PretendZeroCopyProvider(FlushResult flushAnswer, boolean grantFeature, Throwable unavailable,
                                    int flushesBeforeFailure) {
        this.flushAnswer = flushAnswer;
        this.grantFeature = grantFeature;
        this.unavailable = unavailable;
        this.flushesBeforeFailure = flushesBeforeFailure;
    }

    /** Channels whose writes avoid the copy, but whose flushes fail after the first {@code good} ones. */
    static PretendZeroCopyProvider flushFailsAfter(int good) {
        return new PretendZeroCopyProvider(FlushResult.ZERO_COPY, true, null, good);
    }

    /** Channels whose kernel copies everything, like same-host TCP. */
    static PretendZeroCopyProvider copiedByKernel() {
        return new PretendZeroCopyProvider(FlushResult.ALL_COPIED, true, null);
    }

    /**
     * Channels whose kernel refuses to pin any zero-copy write ({@code ENOBUFS}, as under a 64 KiB
     * {@code RLIMIT_MEMLOCK}): each such write is copied and counted as a fallback, or fails with QEMU's words when
     * the channel was opened with {@link ChannelOptions#strictZeroCopy()}.
     */
    static PretendZeroCopyProvider refusedForLackOfLockedMemory() {
        PretendZeroCopyProvider provider = new PretendZeroCopyProvider(FlushResult.ALL_COPIED, true, null);
        provider.refusesToPin = true;
        return provider;
    }

    /** What the pretend kernel's refusal says, naming both limits like the Linux provider. */
    static final String REFUSAL = "No buffer space available (ENOBUFS, pretend). Limits: RLIMIT_MEMLOCK 65536 bytes"
            + " (soft; hard 65536 bytes), net.core.optmem_max 131072 bytes, CAP_IPC_LOCK no";

    /**
     * Like {@link #copiedByKernel()}, and it knows it: it says zero-copy to an address of this host is copied,
     * as the Linux provider does for loopback.
     */
    static PretendZeroCopyProvider copiedOnThisHostAndSaysSo() {
        PretendZeroCopyProvider provider = copiedByKernel();
        provider.knowsThisHostCopies = true;
        return provider;
    }

    /** Channels whose writes really avoid the copy. */
    static PretendZeroCopyProvider realZeroCopy() {
        return new PretendZeroCopyProvider(FlushResult.ZERO_COPY, true, null);
    }

    /** A provider whose kernel refuses SO_ZEROCOPY on every socket. */
    static PretendZeroCopyProvider kernelWithoutZeroCopy() {
        return new PretendZeroCopyProvider(FlushResult.NOTHING_PENDING, false, null);
    }

    /** A provider that is unavailable for the given reason. */
    static PretendZeroCopyProvider unavailable(String reason) {
        return new PretendZeroCopyProvider(FlushResult.NOTHING_PENDING, true, new UnsupportedOperationException(reason));
    }

    @Override
    public String name() {
        return "linux";
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public boolean supportsZeroCopy() {
        return true;
    }

    @Override
    public boolean isAvailable() {
        probes.incrementAndGet();
        return unavailable == null;
    }

    @Override
    public Throwable unavailabilityCause() {
        probes.incrementAndGet();
        return unavailable;
    }

    @Override
    public boolean zeroCopyCopiesTo(InetSocketAddress destination) {
        return knowsThisHostCopies && destination.getAddress() != null
                && destination.getAddress().isLoopbackAddress();
    }

    @Override
    public IOChannel connect(InetSocketAddress remote, ChannelOptions options) throws IOException {
        connects.incrementAndGet();
        return new Channel(copy.connect(remote, options.withZeroCopy(false)), options.zeroCopy() && grantFeature,
                options.strictZeroCopy());
    }

    @Override
    public ChannelListener listen(InetSocketAddress local, ChannelOptions options) throws IOException {
        return copy.listen(local, options);
    }

    private final class Channel extends DelegatingChannel {
        private final Set<Feature> features;
        private final AtomicLong sends = new AtomicLong();
        private final AtomicLong completions = new AtomicLong();
        private final AtomicLong copied = new AtomicLong();
        private final AtomicLong fallbacks = new AtomicLong();
        private final boolean strict;
        private long pending;
        private int flushes;

        Channel(IOChannel delegate, boolean zeroCopy, boolean strict) {
            super(delegate);
            this.strict = strict;
            this.features = zeroCopy ? Set.copyOf(EnumSet.of(Feature.WRITE_ZERO_COPY, Feature.SHUTDOWN))
                    : Set.of(Feature.SHUTDOWN);
        }

        @Override
        public Set<Feature> features() {
            return features;
        }

        @Override
        public String zeroCopyUnavailableReason() {
            return features.contains(Feature.WRITE_ZERO_COPY) ? null
                    : "setsockopt(SO_ZEROCOPY) failed: Operation not supported (pretend)";
        }

        @Override
        public String zeroCopyFallbackReason() {
            return fallbacks.get() == 0 ? null : "the kernel refused to pin zero-copy writes for lack of locked memory: "
                    + REFUSAL + "; such writes are copied";
        }

        @Override
        public String providerName() {
            return "linux";
        }

        @Override
        public ChannelStatistics statistics() {
            ChannelStatistics base = delegate.statistics();
            return new ChannelStatistics(base.bytesWritten(), base.bytesRead(), sends.get(), completions.get(),
                    copied.get(), 0, fallbacks.get());
        }

        @Override
        protected long implWritev(MemorySegment[] iov, int offset, int length, boolean zeroCopy) throws IOException {
            if (zeroCopy && refusesToPin && strict) {
                throw new NativeIOException("sendmsg(MSG_ZEROCOPY)", 105, "Process can't lock enough memory for using"
                        + " MSG_ZEROCOPY: " + REFUSAL);
            }
            long n = delegate.writev(iov, offset, length);
            if (zeroCopy && refusesToPin && n > 0) {
                fallbacks.incrementAndGet();
                synchronized (this) {
                    pending++;
                }
            } else if (zeroCopy && n > 0) {
                sends.incrementAndGet();
                zeroCopyWrites.incrementAndGet();
                synchronized (this) {
                    pending++;
                }
            }
            return n;
        }

        @Override
        protected synchronized FlushResult implFlush() throws IOException {
            if (flushesBeforeFailure >= 0 && flushes++ >= flushesBeforeFailure) {
                throw new IOException("recvmsg(MSG_ERRQUEUE) failed: a zero-copy completion reported an error"
                        + " (pretend)");
            }
            if (pending == 0) {
                return FlushResult.NOTHING_PENDING;
            }
            if (!refusesToPin) {
                completions.addAndGet(pending);
            }
            if (flushAnswer == FlushResult.ALL_COPIED && !refusesToPin) {
                copied.addAndGet(pending);
            }
            pending = 0;
            return flushAnswer;
        }
    }
}
