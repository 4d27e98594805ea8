package migration.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EndpointTest {

    @Test
    void unixAndAPathIsAUnixDomainSocket() {
        Endpoint endpoint = Endpoint.parse("unix:/run/multifd.sock", false);

        assertThat(endpoint.isUnix()).isTrue();
        assertThat(endpoint.unix()).isEqualTo(Path.of("/run/multifd.sock"));
        assertThat(endpoint).hasToString("unix:/run/multifd.sock");
    }

    @Test
    void aHostAndPortIsTcp() {
        Endpoint endpoint = Endpoint.parse("[::1]:4444", false);

        assertThat(endpoint.isUnix()).isFalse();
        assertThat(endpoint.tcp()).isEqualTo(new HostPort("::1", 4444));
    }

    @Test
    void unixWithoutAPathIsRefused() {
        assertThatThrownBy(() -> Endpoint.parse("unix:", false))
                .hasMessage("missing path after 'unix:', as in unix:/run/multifd.sock");
    }

    @Test
    void aPathLongerThanASocketAddressHoldsIsRefusedWithItsLength() {
        assertThatThrownBy(() -> Endpoint.parse("unix:/" + "a".repeat(107), false))
                .hasMessage("the socket path has 108 bytes, more than the 107 a Unix domain socket takes (man 7 unix)");
    }
}
