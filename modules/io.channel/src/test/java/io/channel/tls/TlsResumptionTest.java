package io.channel.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.security.auth.x500.X500Principal;
import migration.authority.ThrowawayAuthority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A connection resumes the session of an earlier one between the same two sides (RFC 8446 section 2.2) when both
 * use parameters of the same credentials, copies made for another timeout included, and still reports the peer
 * that the first handshake checked.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsResumptionTest {

    private static final ThrowawayAuthority CA = ThrowawayAuthority.create("resumption test CA");

    private final TlsParameters server = TlsPeers.parameters(CA.issue("destination", TlsPeers.LOOPBACK_NAMES));
    private final TlsParameters client = TlsPeers.parameters(CA.issue("source", TlsPeers.LOOPBACK_NAMES));

    /**
     * Connects once with each pair of parameters on one listener, in order; on each connection the server
     * sends a byte and the client reads it, as a migration's destination answers every connection first, so that
     * the client has read the server's session ticket (which follows the handshake) before the next connection.
     */
    private static List<TlsSessionInfo[]> connections(TlsParameters[] servers, TlsParameters[] clients)
            throws Exception {
        List<TlsSessionInfo[]> sessions = new java.util.ArrayList<>();
        try (Arena arena = Arena.ofConfined(); TlsPeers peers = new TlsPeers()) {
            for (int i = 0; i < servers.length; i++) {
                peers.serve(servers[i]);
                try (TlsChannel clientEnd = peers.connect("localhost", clients[i]);
                     TlsChannel serverEnd = peers.serverResult()) {
                    MemorySegment one = arena.allocate(1);
                    serverEnd.writeAll(one);
                    clientEnd.readFully(one);
                    sessions.add(new TlsSessionInfo[] {clientEnd.session(), serverEnd.session()});
                }
            }
        }
        return sessions;
    }

    @Test
    void theSecondConnectionResumesTheFirstOnesSessionOnBothSidesAndStillNamesThePeers() throws Exception {
        List<TlsSessionInfo[]> sessions = connections(new TlsParameters[] {server, server},
                new TlsParameters[] {client, client});

        assertThat(sessions.get(0)[0].resumed()).as("first connection, client").isFalse();
        assertThat(sessions.get(0)[1].resumed()).as("first connection, server").isFalse();
        assertThat(sessions.get(1)[0].resumed()).as("second connection, client").isTrue();
        assertThat(sessions.get(1)[1].resumed()).as("second connection, server").isTrue();
        assertThat(sessions.get(1)[0].peerIdentity()).isEqualTo(new X500Principal("CN=destination"));
        assertThat(sessions.get(1)[1].peerIdentity()).isEqualTo(new X500Principal("CN=source"));
        assertThat(sessions.get(1)[1].toString()).endsWith(", resumed");
    }

    /** A migration bounds each handshake by what is left of its setup timeout: a copy of the parameters. */
    @Test
    void copiesForAnotherHandshakeTimeoutResumeSessionsOfTheOriginal() throws Exception {
        List<TlsSessionInfo[]> sessions = connections(
                new TlsParameters[] {server, server.withHandshakeTimeout(Duration.ofSeconds(3))},
                new TlsParameters[] {client, client.withHandshakeTimeout(Duration.ofSeconds(7))});

        assertThat(sessions.get(1)[0].resumed()).as("client").isTrue();
        assertThat(sessions.get(1)[1].resumed()).as("server").isTrue();
    }

    @Test
    void parametersThatAllowOtherPeersDoNotResumeTheSessionsOfThoseThatDidNot() throws Exception {
        List<TlsSessionInfo[]> sessions = connections(new TlsParameters[] {server, server},
                new TlsParameters[] {client, client.withAllowedPeers(List.of("CN=destination"))});

        assertThat(sessions.get(1)[0].resumed()).as("client").isFalse();
        assertThat(sessions.get(1)[1].resumed()).as("server").isFalse();
    }

    @Test
    void parametersOfOtherCredentialsDoNotResume() throws Exception {
        TlsParameters sameIdentityAgain = TlsPeers.parameters(CA.issue("source", TlsPeers.LOOPBACK_NAMES));
        List<TlsSessionInfo[]> sessions = connections(new TlsParameters[] {server, server},
                new TlsParameters[] {client, sameIdentityAgain});

        assertThat(sessions.get(1)[0].resumed()).as("client").isFalse();
        assertThat(sessions.get(1)[0].peerIdentity()).isEqualTo(new X500Principal("CN=destination"));
    }
}
