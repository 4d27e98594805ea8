package migration.session;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which users' processes a destination lets in over a Unix domain socket: this process's own user, and the users
 * whose ids {@code allow-uid} lists. The kernel tells the user at the other end of the socket as it was when the
 * peer connected ({@code SO_PEERCRED}, {@code man 7 unix}), so the check holds before a byte is read.
 *
 * <p>Users are compared as the JDK's principals: a principal from {@code SO_PEERCRED} and one from the file
 * system's {@link UserPrincipalLookupService} are equal when their uids are.
 */
final class PeerUsers {

    private final UserPrincipal self;
    private final List<UserPrincipal> allowed;
    private final Set<Integer> allowedUids;

    /**
     * Looks this process's user and the allowed users up.
     *
     * @param allowedUids the further users' ids
     * @throws IOException if a user cannot be looked up
     */
    PeerUsers(Set<Integer> allowedUids) throws IOException {
        UserPrincipalLookupService lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        this.self = lookup.lookupPrincipalByName(System.getProperty("user.name"));
        this.allowedUids = new TreeSet<>(allowedUids);
        this.allowed = new ArrayList<>();
        for (int uid : this.allowedUids) {
            // The JDK's lookup takes a number as a uid when no user has that name.
            allowed.add(lookup.lookupPrincipalByName(Integer.toString(uid)));
        }
    }

    /**
     * {@return why a peer of user {@code peer} is refused, or {@code null} if it may connect}
     *
     * @param peer the peer's user, {@code null} if the kernel did not say
     * @param from where the connection came in, for the message
     */
    String refusal(UserPrincipal peer, String from) {
        if (peer != null && (peer.equals(self) || allowed.contains(peer))) {
            return null;
        }
        return "refused a connection on " + from + " from " + (peer == null ? "a process whose user the kernel did not"
                + " tell" : "a process of user '" + peer.getName() + "'") + ": only this process's user ('"
                + self.getName() + "')" + (allowedUids.isEmpty() ? "" : " and the users of uids " + allowedUids)
                + " may connect (allow-uid)";
    }
}
