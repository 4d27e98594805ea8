package migration.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPortTest {

    @ParameterizedTest(name = "''{0}'' is host {1}, port {2}")
    @CsvSource({
        "127.0.0.1:4444, 127.0.0.1, 4444",
        "localhost:1, localhost, 1",
        "example.com:65535, example.com, 65535",
        "[::1]:4444, ::1, 4444",
        "[fe80::1%eth0]:80, fe80::1%eth0, 80",
        "my-host_1.internal:22, my-host_1.internal, 22",
    })
    void hostAndPortAreSplitWithIpv6InBrackets(String text, String host, int port) {
        assertThat(HostPort.parse(text, false)).isEqualTo(new HostPort(host, port));
    }

    @Test
    void portZeroIsAcceptedForListening() {
        assertThat(HostPort.parse("127.0.0.1:0", true).port()).isZero();
    }

    @Test
    void portZeroIsRejectedForConnecting() {
        assertThatThrownBy(() -> HostPort.parse("127.0.0.1:0", false))
                .hasMessage("port 0 is out of range; expected a port from 1 to 65535");
    }

    @ParameterizedTest(name = "''{0}'': {1}")
    @CsvSource(delimiter = '|', value = {
        "127.0.0.1|missing port; expected HOST:PORT such as 127.0.0.1:4444 or [::1]:4444",
        "127.0.0.1:|missing port; expected HOST:PORT such as 127.0.0.1:4444 or [::1]:4444",
        ":4444|missing host; expected HOST:PORT such as 127.0.0.1:4444 or [::1]:4444",
        "host:http|port 'http' is not a number; expected a port from 1 to 65535",
        "host:65536|port 65536 is out of range; expected a port from 1 to 65535",
        "host:-1|port '-1' is not a number; expected a port from 1 to 65535",
        "::1:4444|an IPv6 address needs brackets, as in [::1]:4444",
        "[::1:4444|missing ']' after the IPv6 address; expected HOST:PORT such as 127.0.0.1:4444 or [::1]:4444",
        "[::1]4444|missing port; expected HOST:PORT such as 127.0.0.1:4444 or [::1]:4444",
        "[nohost]:1|'nohost' is not an IPv6 address; expected HOST:PORT such as 127.0.0.1:4444 or [::1]:4444",
        "bad host:1|'bad host' is not a host name or address; expected HOST:PORT such as 127.0.0.1:4444 or [::1]:4444",
    })
    void malformedAddressesAreRejectedSayingWhatIsWrong(String text, String message) {
        assertThatThrownBy(() -> HostPort.parse(text, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void ipv6AddressesAreWrittenInBrackets() {
        assertThat(HostPort.parse("[::1]:4444", false)).hasToString("[::1]:4444");
        assertThat(HostPort.format(new InetSocketAddress(InetAddress.getLoopbackAddress(), 7)))
                .isEqualTo("127.0.0.1:7");
    }

    @Test
    void anIpLiteralResolvesWithoutALookup() {
        InetSocketAddress address = HostPort.parse("127.0.0.1:4444", false).resolve();
        assertThat(address.isUnresolved()).isFalse();
        assertThat(address.getPort()).isEqualTo(4444);
    }

    @Test
    void anUnknownHostIsReportedByName() {
        assertThatThrownBy(() -> HostPort.parse("no-such-host.invalid:4444", false).resolve())
                .hasMessage("cannot resolve host 'no-such-host.invalid'");
    }
}
