package io.channel.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** Reading the alert a peer sent out of the JDK's exception, and saying what it means. */
class TlsAlertTest {

    @Test
    void aReceivedAlertIsNamedAndExplained() {
        TlsAlert alert = TlsAlert.received(new SSLHandshakeException(
                "(certificate_expired) Received fatal alert: certificate_expired"));

        assertThat(alert.name()).isEqualTo("certificate_expired");
        assertThat(alert).hasToString("alert certificate_expired: this side's certificate (or a CA certificate in"
                + " its chain) has expired by the peer's clock");
    }

    @Test
    void anAlertIsFoundAmongTheCauses() {
        IOException wrapped = new IOException("read failed",
                new SSLException("(protocol_version) Received fatal alert: protocol_version"));

        assertThat(TlsAlert.received(wrapped).meaning()).contains("does not speak TLS 1.3");
    }

    @Test
    void anAlertWithoutAKnownMeaningStillNamesTheAlert() {
        assertThat(TlsAlert.received(new SSLException("Received fatal alert: no_application_protocol")))
                .hasToString("alert no_application_protocol: it refused the handshake");
    }

    @Test
    void thisSidesOwnFailureIsNoReceivedAlert() {
        assertThat(TlsAlert.received(new SSLHandshakeException("(certificate_unknown) PKIX path building failed")))
                .isNull();
        assertThat(TlsAlert.received(new IOException("Received fatal alert: bad_certificate"))).isNull();
    }
}
