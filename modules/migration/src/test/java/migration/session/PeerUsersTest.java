package migration.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link PeerUsers}: who may connect over a Unix domain socket. */
class PeerUsersTest {

    private static final UserPrincipalLookupService LOOKUP = FileSystems.getDefault().getUserPrincipalLookupService();

    private static UserPrincipal self() throws IOException {
        return LOOKUP.lookupPrincipalByName(System.getProperty("user.name"));
    }

    /** A uid that is not this process's: 65534 ("nobody" on Linux), or 65533 when this process runs as it. */
    private static int anotherUid() throws IOException {
        return LOOKUP.lookupPrincipalByName("65534").equals(self()) ? 65533 : 65534;
    }

    @Test
    void thisProcesssUserMayConnect() throws IOException {
        assertThat(new PeerUsers(Set.of()).refusal(self(), "unix:/run/m.sock")).isNull();
    }

    @Test
    void anotherUserIsRefusedNamingTheUserAndWhoMayConnect() throws IOException {
        UserPrincipal other = LOOKUP.lookupPrincipalByName(Integer.toString(anotherUid()));

        assertThat(new PeerUsers(Set.of()).refusal(other, "unix:/run/m.sock"))
                .isEqualTo("refused a connection on unix:/run/m.sock from a process of user '" + other.getName()
                        + "': only this process's user ('" + self().getName() + "') may connect (allow-uid)");
    }

    @Test
    void anAllowedUidMayConnectAndIsNamedInRefusalsOfOthers() throws IOException {
        int uid = anotherUid();
        UserPrincipal other = LOOKUP.lookupPrincipalByName(Integer.toString(uid));
        PeerUsers users = new PeerUsers(Set.of(uid, 4242));

        assertThat(users.refusal(other, "unix:/m")).isNull();
        assertThat(users.refusal(LOOKUP.lookupPrincipalByName("4243"), "unix:/m"))
                .endsWith("and the users of uids [" + Math.min(uid, 4242) + ", " + Math.max(uid, 4242)
                        + "] may connect (allow-uid)");
    }

    @Test
    void aPeerWhoseUserIsUnknownIsRefused() throws IOException {
        assertThat(new PeerUsers(Set.of()).refusal(null, "unix:/m"))
                .contains("from a process whose user the kernel did not tell");
    }
}
