package migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.channel.ChannelListener;
import io.channel.ChannelOptions;
import io.channel.ChannelProviders;
import io.channel.ChannelStatistics;
import io.channel.Feature;
import io.channel.FlushResult;
import io.channel.IOChannel;
import io.channel.spi.ChannelProvider;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A page changed and changed back around every send of it (a lock word taken and released while the kernel reads
 * the page), under the portable tracker, which compares page contents only. The writer is the channel itself, so
 * that it is deterministic: each write on the multifd channel sets the word, lets the socket take the bytes, and
 * clears it again before returning; a zero-copy write is taken by the socket only later (as the kernel reads a
 * zero-copy page when it transmits), at the next write or flush, with the word set around that. The destination
 * then holds the word set unless the source sent a copy of the page taken before the write; and the page is
 * clean for the tracker only if the checksum it was told is of the bytes that went out.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PageChangedAroundEachSendTest {

    private static final long MIB = 1024 * 1024;
    /** The page whose word flips, and where the word is in it. */
    private static final long WORD = 37 * MigrationProtocol.PAGE_SIZE + 8;
    private static final long CLEAR = 0x5A5A_5A5A_5A5A_5A5AL;
    private static final long SET = CLEAR + 1;

    @ParameterizedTest(name = "zero-copy {0}, verify {1}")
    @CsvSource({"off, true", "off, false", "on, true", "on, false"})
    void theDestinationEndsWithTheSourcesBytesAndTheDigestsVerify(String zeroCopy, boolean verify)
            throws Exception {
        try (Arena arena = Arena.ofShared()) {
            RamBlock block = RamBlock.anonymous("ram0", MIB, arena);
            TestMemory.fillPattern(block.memory(), (byte) 0x5A);
            FlippingProvider flipping = new FlippingProvider(block.memory());
            MigrationParameters params = MigrationParameters.defaults().withChannels(1).withVerify(verify)
                    .withZeroCopy(ZeroCopyMode.parse(zeroCopy));
            MigrationStats stats;
            try (MigrationDestination destination = MigrationDestination.listen(EndToEndMigrationTest.loopback(),
                    RamBlockProvider.anonymous(arena), MigrationParameters.defaults().withProvider("copy"));
                 MigrationSource source = MigrationSource.startLive(destination.localAddress(), List.of(block),
                         params, LiveParameters.defaults().withTracker("portable"),
                         new TestWriters(block.memory(), 0, 1, 0), List.of(flipping))) {
                stats = source.await();
                destination.await();
                assertThat(destination.blocks().getFirst().memory().mismatch(block.memory()))
                        .as("first byte where the destination differs from the source").isEqualTo(-1);
            }
            assertThat(flipping.flips.get()).as("times the word was set around a send of its page").isPositive();
            assertThat(block.memory().get(ValueLayout.JAVA_LONG_UNALIGNED, WORD)).isEqualTo(CLEAR);
            assertThat(stats.status()).isEqualTo(MigrationStatus.COMPLETED);
            assertThat(stats.verified()).isEqualTo(verify);
            if (zeroCopy.equals("on")) {
                assertThat(stats.zeroCopy().sends()).as("zero-copy writes").isZero();
                assertThat(stats.dirtySyncMissedZeroCopy()).as("syncs after pages copied although zero-copy was"
                        + " asked for").isPositive();
                assertThat(stats.zeroCopy().reason()).isEqualTo("multifd channel 0 has no zero-copy (the pages of"
                        + " blocks tracked by page checksums go out from a copy, so that the checksum the tracker"
                        + " compares with is of the bytes sent); copying on it");
            }
        }
    }

    /**
     * Wraps the copying provider. Its first connection is the main channel, left alone; on the others (the multifd
     * channels) every byte the socket takes is taken with the word set, and the word is clear again when the write
     * returns. Zero-copy writes are granted when asked for, and their bytes taken at the next write or flush.
     */
    private static final class FlippingProvider implements ChannelProvider {

        private final ChannelProvider copy = ChannelProviders.named("copy");
        private final MemorySegment memory;
        private final AtomicInteger connections = new AtomicInteger();
        final AtomicLong flips = new AtomicLong();

        FlippingProvider(MemorySegment memory) {
            this.memory = memory;
        }

        @Override
        public String name() {
            return "flipping";
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
            return true;
        }

        @Override
        public Throwable unavailabilityCause() {
            return null;
        }

        @Override
        public IOChannel connect(InetSocketAddress remote, ChannelOptions options) throws IOException {
            IOChannel channel = copy.connect(remote, options.withZeroCopy(false));
            return connections.getAndIncrement() == 0 ? channel : new Flipping(channel, options.zeroCopy());
        }

        @Override
        public ChannelListener listen(InetSocketAddress local, ChannelOptions options) throws IOException {
            return copy.listen(local, options);
        }

        private final class Flipping extends DelegatingChannel {
            private final Set<Feature> features;
            /** Zero-copy writes the socket has not taken yet. */
            private final List<MemorySegment> pending = new ArrayList<>();
            private volatile long zeroCopySends;

            Flipping(IOChannel delegate, boolean zeroCopy) {
                super(delegate);
                this.features = zeroCopy ? Set.of(Feature.WRITE_ZERO_COPY, Feature.SHUTDOWN) : Set.of(Feature.SHUTDOWN);
            }

            /** Lets the socket take {@code segments} with the word set, and clears it again. */
            private void sendFlipped(MemorySegment[] segments) throws IOException {
                memory.set(ValueLayout.JAVA_LONG_UNALIGNED, WORD, SET);
                flips.incrementAndGet();
                try {
                    delegate.writevAll(segments, 0, segments.length);
                } finally {
                    memory.set(ValueLayout.JAVA_LONG_UNALIGNED, WORD, CLEAR);
                }
            }

            private void takePending() throws IOException {
                if (!pending.isEmpty()) {
                    MemorySegment[] segments = pending.toArray(MemorySegment[]::new);
                    pending.clear();
                    sendFlipped(segments);
                }
            }

            @Override
            protected long implWritev(MemorySegment[] iov, int offset, int length, boolean zeroCopy)
                    throws IOException {
                long n = 0;
                MemorySegment[] segments = new MemorySegment[length];
                for (int i = 0; i < length; i++) {
                    segments[i] = iov[offset + i];
                    n += segments[i].byteSize();
                }
                if (zeroCopy) {
                    pending.addAll(List.of(segments));
                    zeroCopySends = zeroCopySends + 1; // the channel's writer thread only
                } else {
                    takePending();
                    sendFlipped(segments);
                }
                return n;
            }

            @Override
            protected FlushResult implFlush() throws IOException {
                boolean any = !pending.isEmpty();
                takePending();
                return any ? FlushResult.ZERO_COPY : FlushResult.NOTHING_PENDING;
            }

            @Override
            public Set<Feature> features() {
                return features;
            }

            @Override
            public String providerName() {
                return "flipping";
            }

            @Override
            public ChannelStatistics statistics() {
                ChannelStatistics base = delegate.statistics();
                return new ChannelStatistics(base.bytesWritten(), base.bytesRead(), zeroCopySends, 0, 0, 0, 0);
            }
        }
    }
}
