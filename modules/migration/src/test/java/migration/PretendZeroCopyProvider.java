package migration;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.ChannelProviders;
import io.channel.ChannelStatistics;
import io.channel.Feature;
import io.channel.FlushResult;
import io.channel.IOChannel;
import io.channel.ShutdownDirection;
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
    final AtomicLong zeroCopyWrites = new AtomicLong();

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
        return unavailable == null;
    }

    @Override
    public Throwable unavailabilityCause() {
        return unavailable;
    }

    @Override
    public IOChannel connect(InetSocketAddress remote, ChannelOptions options) throws IOException {
        return new Channel(copy.connect(remote, options.withZeroCopy(false)), options.zeroCopy() && grantFeature);
    }

    @Override
    public ChannelListener listen(InetSocketAddress local, ChannelOptions options) throws IOException {
        return copy.listen(local, options);
    }

    private final class Channel extends IOChannel {
        private final IOChannel delegate;
        private final Set<Feature> features;
        private final AtomicLong sends = new AtomicLong();
        private final AtomicLong completions = new AtomicLong();
        private final AtomicLong copied = new AtomicLong();
        private long pending;
        private int flushes;

        Channel(IOChannel delegate, boolean zeroCopy) {
            this.delegate = delegate;
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
        public String providerName() {
            return "linux";
        }

        @Override
        public InetSocketAddress localAddress() {
            return delegate.localAddress();
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return delegate.remoteAddress();
        }

        @Override
        public ChannelStatistics statistics() {
            ChannelStatistics base = delegate.statistics();
            return new ChannelStatistics(base.bytesWritten(), base.bytesRead(), sends.get(), completions.get(),
                    copied.get(), 0, 0);
        }

        @Override
        protected long implWritev(MemorySegment[] iov, int offset, int length, boolean zeroCopy) throws IOException {
            long n = delegate.writev(iov, offset, length);
            if (zeroCopy && n > 0) {
                sends.incrementAndGet();
                zeroCopyWrites.incrementAndGet();
                synchronized (this) {
                    pending++;
                }
            }
            return n;
        }

        @Override
        protected long implReadv(MemorySegment[] iov, int offset, int length) throws IOException {
            return delegate.readv(iov, offset, length);
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
            completions.addAndGet(pending);
            if (flushAnswer == FlushResult.ALL_COPIED) {
                copied.addAndGet(pending);
            }
            pending = 0;
            return flushAnswer;
        }

        @Override
        protected void implShutdown(ShutdownDirection direction) throws IOException {
            delegate.shutdown(direction);
        }

        @Override
        protected void implClose() throws IOException {
            delegate.close();
        }
    }
}
