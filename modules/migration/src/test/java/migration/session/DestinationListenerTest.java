package migration.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.channel.ChannelListener;
import io.channel.ChannelProviders;
import io.channel.spi.ChannelProvider;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.ResourceBundle;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import migration.MigrationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import testkit.RecordingLogger;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DestinationListenerTest {

    private static final ChannelProvider COPY = ChannelProviders.named("copy");
    private static final InetSocketAddress WILDCARD = new InetSocketAddress("0.0.0.0", 0);
    private static final String WARNING = " without TLS: anyone who can reach this port can write this process's"
            + " memory; configure TLS to accept only authenticated sources";

    @Test
    void withoutTlsOnTheWildcardAddressItWarnsThatAnyoneWhoReachesThePortCanWriteTheMemory() throws Exception {
        RecordingLogger log = new RecordingLogger();
        try (ChannelListener listener = DestinationListener.open(COPY, WILDCARD, false, log)) {
            assertThat(log.warningLines())
                    .containsExactly("listening on 0.0.0.0:" + listener.localAddress().getPort() + WARNING);
        }
    }

    @Test
    void withTlsOnTheWildcardAddressItSaysNothing() throws Exception {
        RecordingLogger log = new RecordingLogger();
        try (ChannelListener listener = DestinationListener.open(COPY, WILDCARD, true, log)) {
            assertThat(listener.localAddress().getPort()).isPositive();
            assertThat(log.infoLines()).isEmpty();
        }
    }

    @Test
    void withoutTlsOnLoopbackItSaysNothing() throws Exception {
        RecordingLogger log = new RecordingLogger();
        try (ChannelListener listener = DestinationListener.open(COPY, new InetSocketAddress("127.0.0.1", 0), false,
                log)) {
            assertThat(listener.localAddress().getPort()).isPositive();
            assertThat(log.infoLines()).isEmpty();
        }
    }

    @Test
    void aHostNameIsResolvedBeforeTheBindAndALoopbackNameIsNotWarnedAbout() throws Exception {
        RecordingLogger log = new RecordingLogger();
        try (ChannelListener listener = DestinationListener.open(COPY,
                InetSocketAddress.createUnresolved("localhost", 0), false, log)) {
            assertThat(listener.localAddress().getAddress().isLoopbackAddress()).isTrue();
            assertThat(log.infoLines()).isEmpty();
        }
    }

    @Test
    void aHostNameThatDoesNotResolveFailsNamingIt() {
        // RFC 2606 reserves .invalid: it never resolves.
        assertThatThrownBy(() -> DestinationListener.open(COPY,
                InetSocketAddress.createUnresolved("no-such-host.invalid", 4444), false, new RecordingLogger()))
                .isInstanceOf(MigrationException.class)
                .hasMessage("cannot listen on no-such-host.invalid:4444: cannot resolve host 'no-such-host.invalid'")
                .hasCauseInstanceOf(UnknownHostException.class);
    }

    @Test
    void aFailureAfterTheBindClosesTheListenerSoThatItsPortCanBeBoundAgain() throws Exception {
        AtomicReference<String> said = new AtomicReference<>();
        System.Logger failing = new System.Logger() {
            @Override
            public String getName() {
                return "failing";
            }

            @Override
            public boolean isLoggable(Level level) {
                return true;
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
                said.set(msg);
                throw new IllegalStateException("the log is full");
            }

            @Override
            public void log(Level level, ResourceBundle bundle, String format, Object... params) {
                log(level, bundle, format, (Throwable) null);
            }
        };

        assertThatThrownBy(() -> DestinationListener.open(COPY, WILDCARD, false, failing))
                .isInstanceOf(IllegalStateException.class).hasMessage("the log is full");

        int port = Integer.parseInt(said.get().replaceFirst("^listening on 0\\.0\\.0\\.0:(\\d+) .*$", "$1"));
        try (ServerSocket again = new ServerSocket(port)) {
            assertThat(again.getLocalPort()).isEqualTo(port);
        }
    }
}
