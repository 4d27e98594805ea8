package migration.cli;

import io.channel.ChannelProviders;
import io.channel.spi.ChannelProvider;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import migration.VerifyMode;
import migration.ZeroCopyMode;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * How option text becomes values. Each converter throws {@link TypeConversionException} with what was expected;
 * {@link UsageErrorHandler} turns that into one line naming the option and the value.
 */
final class OptionConverters {

    private OptionConverters() {
    }

    /** A positive size such as {@code 512m}; see {@link ByteSize#parseSize}. */
    static final class Size implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return ByteSize.parseSize(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** Bytes per second such as {@code 100m}, {@code 0} for unlimited; see {@link ByteSize#parseRate}. */
    static final class Rate implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return ByteSize.parseRate(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code HOST:PORT} to listen on; port 0 picks a free port. */
    static final class ListenAddress implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            try {
                return HostPort.parse(value, true);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code HOST:PORT} to connect to. */
    static final class RemoteAddress implements ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            try {
                return HostPort.parse(value, false);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code HOST:PORT} to listen on (port 0 picks a free port), or {@code unix:PATH}. */
    static final class ListenEndpoint implements ITypeConverter<Endpoint> {
        @Override
        public Endpoint convert(String value) {
            try {
                return Endpoint.parse(value, true);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code HOST:PORT} to connect to, or {@code unix:PATH}. */
    static final class RemoteEndpoint implements ITypeConverter<Endpoint> {
        @Override
        public Endpoint convert(String value) {
            try {
                return Endpoint.parse(value, false);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code on}, {@code auto} or {@code off}, in any case. */
    static final class ZeroCopy implements ITypeConverter<ZeroCopyMode> {
        @Override
        public ZeroCopyMode convert(String value) {
            try {
                return ZeroCopyMode.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("expected on, auto or off");
            }
        }
    }

    /**
     * A channel provider: {@code auto} (the best available, as {@code null}) or the name of one found here, such as
     * {@code linux} or {@code copy}, in any case.
     */
    static final class Provider implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String name = value.strip().toLowerCase(Locale.ROOT);
            if (name.equals(ProviderOption.AUTO)) {
                return null;
            }
            List<String> names = ChannelProviders.all().stream().map(ChannelProvider::name).toList();
            if (!names.contains(name)) {
                throw new TypeConversionException("expected " + ProviderOption.AUTO + " or a provider found here: "
                        + String.join(", ", names));
            }
            return name;
        }
    }

    /** A number of multifd channels, 1 to 255 (QEMU's {@code multifd-channels}). */
    static final class Channels implements ITypeConverter<Integer> {
        /** IMPORTANT: the same limit as {@code MigrationProtocol.MAX_CHANNELS}. */
        static final int MAX = 255;

        @Override
        public Integer convert(String value) {
            String text = value.strip();
            if (!text.isEmpty() && text.length() <= 3 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
                int channels = Integer.parseInt(text);
                if (channels >= 1 && channels <= MAX) {
                    return channels;
                }
            }
            throw new TypeConversionException("expected a number of channels from 1 to " + MAX);
        }
    }

    /** A positive duration: {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}; a bare number is seconds. */
    static final class Timeout implements ITypeConverter<Duration> {
        private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h)?", Pattern.CASE_INSENSITIVE);

        @Override
        public Duration convert(String value) {
            Matcher m = DURATION.matcher(value.strip());
            if (m.matches()) {
                long amount = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
                Duration duration = switch (unit) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofSeconds(amount);
                };
                if (!duration.isZero()) {
                    return duration;
                }
            }
            throw new TypeConversionException("expected a positive duration such as 30s, 5m or 500ms");
        }

        /**
         * {@return a duration as messages say it: "30 s", "500 ms"}
         * @param duration the duration
         */
        static String text(Duration duration) {
            return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
        }
    }

    /** A verification mode: {@code on}, {@code final} or {@code off}. */
    static final class Verify implements ITypeConverter<VerifyMode> {
        @Override
        public VerifyMode convert(String value) {
            try {
                return VerifyMode.of(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("expected on, final or off");
            }
        }
    }
}
